#!/usr/bin/env python3
"""
The layout move: run at the repository root on a clean tree (python3 scripts/relayout/move.py).

1. Maps every tracked file by an ordered list of rules (first match wins; directory rules catch
   files added later in the old folders), then `git mv`s it.
2. Rewrites every relative import/export specifier in .ts/.js/.mjs/.cjs files that refers to a moved
   file or is written from a moved file: resolved against the importing file's old place, mapped,
   re-relativised against its new place.
3. Rewrites path strings that find data at run time (`new URL('../..', import.meta.url)` and the
   candidate lists beside them), from the source tree or from dist/.
4. Rewrites path tokens (`bot/app.ts`, `dist/bot/index.js`, `dsr/storage/`) in code, JSON, scripts
   and the README, and the folder list of tsconfig.json.

Idempotent: on a moved tree no rule matches, so nothing changes.
"""
import json
import os
import posixpath as pp
import re
import subprocess
import sys

# ---- the rules: (regex on the old path, replacement). First match wins. ----------------------
RULES = [
    # Composition root: configuration, server, routes, wiring; the production entry point.
    (r'^bot/(app|config|discovery|index|serve|server|logger|dashboardAuth|dashboardRoutes|downloadRoutes|subjectRoutes|registerFeed|storeUnavailable)\.ts$', r'app/\1.ts'),
    # The Teams side: the bot, adapter glue, proactive messages, outbox, reminder dispatch.
    (r'^bot/(dsrBot|authentication|inboundActivity|cardUpdater|proactiveNotifier|stateStorage|teamDirectory|teamsLinks|packageDelivery|downloadLinks)\.ts$', r'teams/\1.ts'),
    (r'^bot/outbox/(.+)$', r'teams/outbox/\1'),
    (r'^bot/reminders/(.+)$', r'teams/reminders/\1'),
    # Anything else added to bot/ is wiring until it says otherwise: app/ may import every layer.
    (r'^bot/(.+)$', r'app/\1'),
    # Card handlers: one per card family, and what they share.
    (r'^dialogs/(\w+Actions|cardActions|caseRefresh|teamCaseAction|messageAction|intakeSubmission)\.ts$', r'teams/actions/\1.ts'),
    # What handlers and dialogs are given: services, the notifier port, the team, the acting user.
    (r'^dialogs/(services|notifier|team|turnActor)\.ts$', r'teams/\1.ts'),
    # Dialogs, intents, commands, help (and anything else added to dialogs/).
    (r'^dialogs/(.+)$', r'teams/conversation/\1'),
    # Storage adapters and the export package writer leave the domain.
    (r'^dsr/storage/(.+)$', r'storage/\1'),
    (r'^dsr/exportPackage/(.+)$', r'storage/exportPackage/\1'),
    # The workflows.
    (r'^dsr/(discoveryRun|packageRun|changeRun|purgeRun|reviewSnapshot)\.ts$', r'dsr/runs/\1.ts'),
    # The ports the adapters implement.
    (r'^dsr/(store|changeLedger|outbox|packages|leases)\.ts$', r'dsr/ports/\1.ts'),
    # The local run: Playground views and their start.
    (r'^scripts/(localRun|playground|playgroundViews)\.ts$', r'local/\1.ts'),
    # Tests move with the code they test.
    (r'^test/bot/(.+)$', r'test/app/\1'),
    (r'^test/dialogs/(.+)$', r'test/teams/conversation/\1'),
    (r'^test/exportPackage/(.+)$', r'test/storage/exportPackage/\1'),
    (r'^test/intake/(.+)$', r'test/dsr/intake/\1'),
    (r'^test/outbox/(.+)$', r'test/teams/outbox/\1'),
    (r'^test/register/(.+)$', r'test/dsr/register/\1'),
    (r'^test/reminders/(delivery|fastForward)\.test\.ts$', r'test/teams/reminders/\1.test.ts'),
    (r'^test/reminders/(graphManagers)\.test\.ts$', r'test/connectors/\1.test.ts'),
    (r'^test/reminders/(.+)$', r'test/dsr/reminders/\1'),
    (r'^test/store/(.+)$', r'test/storage/\1'),
    (r'^test/unit/(cards|cardBindings|i18nCatalogues)\.test\.ts$', r'test/cards/\1.test.ts'),
    (r'^test/unit/(lowdbStore)\.test\.ts$', r'test/storage/\1.test.ts'),
    (r'^test/unit/(databaseConfig|auditKey)\.test\.ts$', r'test/app/\1.test.ts'),
    (r'^test/unit/(.+)$', r'test/dsr/\1'),
]

# Folders that move whole to one place: their path tokens in prose are rewritten too.
WHOLE_DIRS = {
    'bot/outbox/': 'teams/outbox/',
    'bot/reminders/': 'teams/reminders/',
    'dsr/storage/': 'storage/',
    'dsr/exportPackage/': 'storage/exportPackage/',
    'test/store/': 'test/storage/',
    'test/outbox/': 'test/teams/outbox/',
    'test/dialogs/': 'test/teams/conversation/',
    'test/exportPackage/': 'test/storage/exportPackage/',
    'test/intake/': 'test/dsr/intake/',
    'test/register/': 'test/dsr/register/',
}

CODE_EXT = ('.ts', '.js', '.mjs', '.cjs', '.mts', '.cts')
TEXT_FILES_EXTRA = ['package.json', 'tsconfig.json', '.mocharc.json', 'test/e2e/mocharc.json', 'eslint.config.js',
                    '.prettierignore', '.ci/run', 'README.md', '.dependency-cruiser.cjs']


def git(*args, capture=True):
    return subprocess.run(['git', *args], check=True, text=True, capture_output=capture).stdout


def map_path(path):
    for pattern, repl in RULES:
        if re.match(pattern, path):
            return re.sub(pattern, repl, path)
    return path


def main():
    if git('status', '--porcelain', '--untracked-files=no').strip():
        sys.exit('the tree is not clean: commit or stash first')
    files = [f for f in git('ls-files', '-z').split('\0') if f]
    existing = set(files)
    moves = {f: map_path(f) for f in files if map_path(f) != f}
    clash = [t for t in moves.values() if t in existing and t not in moves]
    if clash:
        sys.exit(f'would overwrite: {clash}')
    new_of = {f: moves.get(f, f) for f in files}
    old_of = {v: k for k, v in new_of.items()}
    old_dirs = set()
    for f in files:
        d = pp.dirname(f)
        while d:
            old_dirs.add(d)
            d = pp.dirname(d)

    def map_any(path):
        """A file or folder of the old tree to its new place (folders by the files inside)."""
        path = pp.normpath(path)
        if path in new_of:
            return new_of[path]
        if path in old_dirs or path + '/' in WHOLE_DIRS:
            for old, new in WHOLE_DIRS.items():
                if (path + '/').startswith(old):
                    return pp.normpath(new + (path + '/')[len(old):])
            # A folder whose files all land in one new folder moves there.
            inside = [f for f in files if f.startswith(path + '/') and '/' not in f[len(path) + 1:]]
            targets = {pp.dirname(new_of[f]) for f in inside}
            if len(targets) == 1 and inside:
                return targets.pop()
        return path

    # 1. Move.
    for old, new in sorted(moves.items()):
        os.makedirs(pp.dirname(new), exist_ok=True)
        git('mv', old, new)
    print(f'moved {len(moves)} files')
    if not moves:
        print('nothing to move: the tree is already laid out')

    # 2. + 3. Rewrite specifiers and run-time path strings in code.
    spec_re = re.compile(r'''((?:\bfrom|\bimport|\bexport\s*\*\s*from|\brequire)\s*\(?\s*)(['"])(\.{1,2}/[^'"\n]*)(\2)''')
    data_re = re.compile(r'''(['"])(\.{1,2}/[^'"\n]*|\.)(\1)''')

    def resolve_source(target):
        for cand in (target, re.sub(r'\.js$', '.ts', target), re.sub(r'\.mjs$', '.mts', target), target + '.ts',
                     target + '/index.ts'):
            if cand in new_of:
                return cand
        return None

    def rel(target, from_dir):
        r = pp.relpath(target, from_dir or '.')
        if not r.startswith('.'):
            r = './' + r
        return r

    def rewrite_spec(old_file, new_file, spec):
        old_dir, new_dir = pp.dirname(old_file), pp.dirname(new_file)
        target = pp.normpath(pp.join(old_dir, spec))
        if target.startswith('..'):
            return spec
        src = resolve_source(target)
        if src is None:
            # A folder or data file of the old tree.
            if target in old_dirs or target in existing:
                mapped = map_any(target)
            else:
                return spec
            new_target = mapped
        else:
            new_src = new_of[src]
            # Keep the spelling of the extension the specifier used.
            suffix = target[len(src):] if target.startswith(src) else ''
            if src.endswith('.ts') and not target.endswith('.ts') and (target + '.ts' == src or target.endswith('.js')):
                new_target = new_src[:-3] + target[len(src) - 3:] if target.endswith('.js') else new_src[:-3]
            elif src.endswith('/index.ts') and target + '/index.ts' == src:
                new_target = pp.dirname(new_src)
            else:
                new_target = new_src + suffix
        if new_target == target and old_dir == new_dir:
            return spec
        out = rel(new_target, new_dir)
        if spec.endswith('/') and not out.endswith('/'):
            out += '/'
        return out

    def rewrite_data_literal(old_file, new_file, lit):
        """A run-time path: from the source tree, or from dist/ (the compiled file's place)."""
        old_dir, new_dir = pp.dirname(old_file), pp.dirname(new_file)
        trailing = '/' if lit.endswith('/') else ''
        src = pp.normpath(pp.join(old_dir, lit))
        is_dir = bool(trailing) or src in old_dirs
        if not src.startswith('..') and (src in existing or src in old_dirs or (not is_dir and resolve_source(src))):
            target = src
            if not is_dir and resolve_source(src):
                s = resolve_source(src)
                mapped = new_of[s][:-3] + '.js' if src.endswith('.js') and s.endswith('.ts') else new_of[s]
            else:
                mapped = map_any(target)
            if mapped == target and old_dir == new_dir:
                return lit
            out = rel(mapped, new_dir)
            return out + trailing if trailing and not out.endswith('/') else out
        dist = pp.normpath(pp.join('dist', old_dir, lit))
        if dist.startswith('..'):
            return lit
        if dist == 'dist' or dist.startswith('dist/'):
            inner = dist[5:] if dist != 'dist' else ''
            s = resolve_source(inner) if inner and not trailing and inner not in old_dirs else None
            if s:
                mapped = new_of[s][:-3] + '.js' if inner.endswith('.js') and s.endswith('.ts') else new_of[s]
            else:
                mapped = map_any(inner) if inner else ''
            new_abs = pp.normpath(pp.join('dist', mapped)) if mapped else 'dist'
        else:
            new_abs = map_any(dist)
        if new_abs == dist and old_dir == new_dir:
            return lit
        out = pp.relpath(new_abs, pp.join('dist', new_dir) if new_dir else 'dist')
        if not out.startswith('.'):
            out = './' + out
        return out + trailing if trailing and not out.endswith('/') else out

    changed = 0
    now_files = [new_of[f] for f in files]
    for new_file in now_files:
        if not new_file.endswith(CODE_EXT):
            continue
        old_file = old_of[new_file]
        with open(new_file, encoding='utf8') as fh:
            text = fh.read()
        out = spec_re.sub(lambda m: m.group(1) + m.group(2) + rewrite_spec(old_file, new_file, m.group(3)) + m.group(4), text)
        lines = out.split('\n')
        for i, line in enumerate(lines):
            if 'import.meta.url' in line or re.search(r'\bcandidates\s*=\s*\[', line):
                if re.search(r'^\s*(import|export)\b.*\bfrom\s*[\'"]', line):
                    continue
                lines[i] = data_re.sub(lambda m: m.group(1) + rewrite_data_literal(old_file, new_file, m.group(2)) + m.group(3), line)
        out = '\n'.join(lines)
        if out != text:
            with open(new_file, 'w', encoding='utf8') as fh:
                fh.write(out)
            changed += 1
    print(f'rewrote specifiers or run-time paths in {changed} files')

    # 4. Path tokens in code, configuration and the README.
    tokens = {}
    for old, new in moves.items():
        tokens[old] = new
        if old.endswith('.ts'):
            tokens['dist/' + old[:-3] + '.js'] = 'dist/' + new[:-3] + '.js'
    for old, new in WHOLE_DIRS.items():
        if old.rstrip('/') in old_dirs:
            tokens[old] = new
            tokens['dist/' + old] = 'dist/' + new
    token_re = re.compile(r'(?<![\w./-])(' + '|'.join(re.escape(t) for t in sorted(tokens, key=len, reverse=True)) + r')(?![\w-])') if tokens else None
    targets = [f for f in now_files if f.endswith(CODE_EXT) or f.endswith('.json') and not f.endswith('package-lock.json')]
    targets += [f for f in TEXT_FILES_EXTRA if os.path.exists(f)]
    touched = 0
    for f in sorted(set(targets)):
        if f.startswith(('connectors/metadata/', 'bench/corpus/', 'locales/')):
            continue
        with open(f, encoding='utf8') as fh:
            text = fh.read()
        out = token_re.sub(lambda m: tokens[m.group(1)], text) if token_re else text
        if f == 'tsconfig.json':
            out = rewrite_tsconfig(out, now_files)
        if out != text:
            with open(f, 'w', encoding='utf8') as fh:
                fh.write(out)
            touched += 1
    print(f'rewrote path tokens in {touched} files')
    # A longer or shorter specifier can change how the formatter wraps a line: format what moved or changed.
    git('add', '-u')
    rewritten = [f for f in git('diff', '--cached', '--name-only', '--diff-filter=AMR', '-z').split('\0')
                 if f.endswith(('.ts', '.js', '.json')) and not f.endswith('package-lock.json')]
    if rewritten and os.path.exists('node_modules/.bin/prettier'):
        subprocess.run(['node_modules/.bin/prettier', '--write', '--log-level', 'warn', *rewritten], check=True)
        git('add', '-u')


def rewrite_tsconfig(text, now_files):
    """The compiled folders: every top-level folder that holds TypeScript, in the old order, new ones after."""
    config = json.loads(text)
    include = config.get('include', [])
    top = []
    for f in now_files:
        if f.endswith('.ts') and '/' in f:
            d = f.split('/')[0]
            if d not in top and not d.startswith('.'):
                top.append(d)
    kept = [d for d in include if d in top]
    added = sorted(d for d in top if d not in include)
    new_include = kept + added
    if new_include == include:
        return text
    body = ',\n'.join(f'    "{d}"' for d in new_include)
    return re.sub(r'"include"\s*:\s*\[[^\]]*\]', '"include": [\n' + body + '\n  ]', text)


if __name__ == '__main__':
    main()
