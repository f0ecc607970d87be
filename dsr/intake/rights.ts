import { fold, withinOneEdit } from './normalise.js';

/**
 * The rights of GDPR Articles 15–21 a message can ask for. Portability (Art. 20) is handled as the
 * product's "export" request; objection (Art. 21) has no workflow of its own and is shown for the
 * team to decide. Source of the rights and their names in each language: the GDPR's official
 * language versions (EUR-Lex, Regulation (EU) 2016/679, Articles 15–21).
 */
export const RIGHTS = ['access', 'erasure', 'rectification', 'restriction', 'portability', 'objection'] as const;
export type Right = (typeof RIGHTS)[number];

/** How a right was recognised: the matched words, cut from the folded text. */
export interface RightHit {
  right: Right;
  excerpt: string;
}

// The things a request is about, in the four languages; a bare "delete" or "corriger" says nothing without one.
const DATA =
  '(?:data|personal information|information|info|details|account|profile|records?|everything|emails?|addresse?|' +
  'daten|konto|kundenkonto|profil|informationen|angaben|eintrag|eintrage|adresse|' +
  'donnees|compte|profil|informations|coordonnees|dossier|adresse|' +
  'datos|cuenta|perfil|informacion|registros?|direccion|correo)';

// Information about the person, without "account": "I cannot access my account" is a login problem, not Art. 15.
const PERSONAL_DATA =
  '(?:(personal )?data|personal information|information|details|records|' +
  'daten|angaben|informationen|donnees|informations|datos|informacion)';

/** A then B in the same sentence, at most `gap` characters apart. */
function near(a: string, b: string, gap = 60): RegExp {
  return new RegExp(`(?:${a})[^.!?\\n]{0,${gap}}(?:${b})`);
}

const PATTERNS: Record<Right, RegExp[]> = {
  access: [
    /\b(right of access|right to access|subject access|dsar|s\.?a\.?r\.?\b)/,
    // The CCPA calls access the "right to know" (Cal. Civ. Code § 1798.110).
    /\b(right to know|request to know)\b/,
    /\b(art(icle|ikel|iculo|\.)?\s*15)\b/,
    near(
      '\\b(access to|copy of|overview of|list of|access)\\b',
      `${PERSONAL_DATA}|personnel file|employee file|hr file`,
      40,
    ),
    near('\\b(what|which)\\b', `${PERSONAL_DATA}[^.!?\\n]{0,40}\\b(hold|have|store|keep|process|collected)`, 20),
    /\bauskun(ft|f|t)/,
    /\b(selbstauskunft|einsicht in (meine|die) daten)/,
    near('\\bkopie\\b', '\\b(daten|personalakte|akte|angaben)\\b', 60),
    near('\\bwelche\\b', '(gespeichert|verarbeitet|vorliegen|speichern|haben)', 80),
    /\b(droit d'acces|acces a (mes|toutes mes|l'ensemble de mes) donnees|communication de (mes|toutes mes|l'ensemble))/,
    near('\\b(copie|acces|liste)\\b', '\\b(donnees|dossier)\\b', 60),
    near('\\bquelles\\b', '(donnees|informations)[^.!?\\n]{0,40}(detenez|conservez|traitez|avez)', 20),
    /\b(derecho de acceso|acceso a (mis|todos mis|los) datos)/,
    near('\\b(copia|acceso|listado|relacion)\\b', '\\b(datos|expediente)\\b', 60),
    near('\\bque\\b', 'datos[^.!?\\n]{0,40}(tienen|tratan|conservan|guardan|almacenan|disponen)', 20),
  ],
  erasure: [
    /\b(right to (be forgotten|erasure)|erasure|art(icle|ikel|iculo|\.)?\s*17\b)/,
    near('\\b(delete|erase|remove|wipe|purge|destroy|close)\\b', DATA, 60),
    near(DATA, '\\b(deleted|erased|removed|wiped|purged)\\b', 60),
    /\b(loschung|loeschung|loschen|loeschen|geloscht|geloescht|vergessenwerden|recht auf vergessen)/,
    near('\\bentfern\\w*', DATA, 60),
    near(DATA, '\\bentfern\\w*', 60),
    /\b(effacement|effacer|droit a l'oubli|suppression|supprimer|supprime|supprimee|supprimees|supprimes)\b/,
    /\b(supresion|suprimir|supriman|suprima|supriman|borrar|borren|borrado|borrados|eliminacion|eliminar|eliminen|elimine|cancelacion|derecho al olvido)\b/,
  ],
  rectification: [
    /\b(rectif\w*|berichtig\w*|rectific\w*|art(icle|ikel|iculo|\.)?\s*16)\b/,
    near(
      '\\b(correct|update|fix|change|amend)\\b',
      '\\b(my|the|our|her|his)\\b[^.!?\\n]{0,30}(name|address|email|phone|date of birth|birthday|details|data|spelling)',
      10,
    ),
    near('\\b(wrong|incorrect|outdated|misspelt|misspelled|inaccurate|out of date)\\b', DATA + '|name|birth', 40),
    near(DATA + '|name|birth', '\\b(wrong|incorrect|outdated|misspelt|misspelled|inaccurate|out of date)\\b', 40),
    near(
      '\\b(korrigier\\w*|aktualisier\\w*|andern|ander\\w*)\\b',
      '(name|adresse|anschrift|daten|e-mail|geburtsdatum|telefonnummer)',
      40,
    ),
    near(
      '(name|adresse|anschrift|daten|e-mail|geburtsdatum|telefonnummer)',
      '\\b(falsch|fehlerhaft|veraltet|nicht (mehr )?korrekt|unrichtig|korrigier\\w*|aktualisier\\w*|ge(a|ae)ndert)\\b',
      40,
    ),
    near(
      '\\b(corriger|corrigez|mettre a jour|modifier|modifiez)\\b',
      '(nom|adresse|donnees|e-mail|date de naissance|telephone|coordonnees)',
      40,
    ),
    near(
      '(nom|adresse|donnees|date de naissance|coordonnees)',
      '\\b(erronee?s?|incorrecte?s?|inexacte?s?|obsoletes?|faux|fausse)\\b',
      40,
    ),
    near(
      '\\b(corregir|corrijan|actualizar|actualicen|modificar|cambiar)\\b',
      '(nombre|direccion|datos|correo|fecha de nacimiento|telefono)',
      40,
    ),
    near(
      '(nombre|direccion|datos|fecha de nacimiento)',
      '\\b(erroneos?|erroneas?|incorrectos?|incorrectas?|inexactos?|desactualizad[oa]s?)\\b',
      40,
    ),
  ],
  restriction: [
    /\b(restriction of processing|restrict (the )?processing|restrict\w* (the )?(use|processing)|limit the processing|art(icle|ikel|iculo|\.)?\s*18)\b/,
    near('\\b(restrict|freeze|block)\\b', DATA, 40),
    /\b(einschrankung der verarbeitung|verarbeitung (meiner daten )?einschranken|einschranken|sperrung|sperren)\b/,
    /\b(limitation du traitement|limiter le traitement|limitation|geler)\b/,
    /\b(limitacion del tratamiento|limitar el tratamiento|limitacion|bloqueo|bloquear)\b/,
  ],
  portability: [
    /\b(portability|portable format|machine[- ]readable|art(icle|ikel|iculo|\.)?\s*20)\b/,
    near('\\b(transfer|move|port|transmit)\\b', `${DATA}[^.!?\\n]{0,40}\\b(to|provider|another|new)\\b`, 20),
    near('\\b(export|download)\\b', DATA, 30),
    /\b(datenubertragbarkeit|datenuebertragbarkeit|maschinenlesbar\w*|ubertragbarkeit|uebertragbarkeit)/,
    /\b(portabilite|format structure|lisible par (une )?machine)/,
    /\b(portabilidad|formato estructurado|lectura mecanica|legible por maquina)/,
  ],
  objection: [
    /\b(i object|object to|objection|opt[- ]out of|do not sell|don't sell|art(icle|ikel|iculo|\.)?\s*21)\b/,
    near(
      "\\b(stop|no longer|no more|don't want|do not want)\\b",
      '\\b(marketing|advertising|profiling|newsletters?|promotional|direct mail)\\b',
      60,
    ),
    /\b(widerspruch|widerspreche|widersprechen)\b/,
    near('\\b(keine|nicht mehr)\\b', '\\b(werbung|newsletter|profiling|werbemails?)\\b', 40),
    /\b(m'oppose|opposition|droit d'opposition|opposer)\b/,
    near('\\b(ne (\\w+ )?plus|cesser|arreter)\\b', '\\b(prospection|publicite|marketing|newsletter|profilage)\\b', 60),
    /\b(me opongo|oposicion|oponerme|derecho de oposicion)\b/,
    near(
      '\\b(dejar de|no quiero|no deseo)\\b',
      '\\b(publicidad|marketing|comunicaciones comerciales|newsletter|perfilado)\\b',
      60,
    ),
  ],
};

// Single legal terms that carry the right alone; one typo in them is forgiven ("Auskuft", "efacement").
const TERMS: Record<Right, string[]> = {
  access: ['auskunft', 'auskunftsersuchen', 'auskunftsanfrage', 'selbstauskunft'],
  // The bare verbs that the patterns above take alone, too: a typo in them is as common as in the nouns.
  erasure: [
    'erasure',
    'deletion',
    'loschung',
    'loeschung',
    'loschen',
    'loeschen',
    'effacement',
    'effacer',
    'effacez',
    'effaciez',
    'suppression',
    'supprimer',
    'supprimez',
    'supresion',
    'suprimir',
    'supriman',
    'borrar',
    'borren',
    'eliminacion',
    'eliminar',
    'eliminen',
  ],
  rectification: ['rectification', 'berichtigung', 'rectificacion'],
  restriction: ['einschrankung', 'limitacion'],
  portability: ['portability', 'datenubertragbarkeit', 'portabilite', 'portabilidad'],
  objection: ['widerspruch', 'objection', 'oposicion'],
};

// "Please do not delete" and its kin: the right is named and refused in the same breath.
const NEGATED = /\b(not|don't|do not|nicht|kein|ne pas|pas|no)\s+(\w+\s+){0,2}$/;

/** The rights a text asks for, each with the words that show it. */
export function findRights(text: string): RightHit[] {
  const folded = fold(text);
  const hits: RightHit[] = [];
  for (const right of RIGHTS) {
    let excerpt: string | undefined;
    for (const pattern of PATTERNS[right]) {
      const match = pattern.exec(folded);
      if (!match || match[0].trim() === '') continue;
      if (NEGATED.test(folded.slice(Math.max(0, match.index - 30), match.index))) continue;
      excerpt = match[0];
      break;
    }
    if (excerpt === undefined) {
      const tokens = folded.match(/[a-z']{6,}/g) ?? [];
      excerpt = tokens.find((token) => TERMS[right].some((term) => withinOneEdit(token, term)));
    }
    if (excerpt !== undefined) hits.push({ right, excerpt: excerpt.slice(0, 80) });
  }
  return hits;
}
