import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../app/config.js';

describe('the privacy channel’s language in configuration', () => {
  it('is English unless the team names one of the languages the catalogues provide', () => {
    assert.equal(loadConfig({}).channelLanguage, 'en');
    assert.equal(loadConfig({ DSR_CHANNEL_LANGUAGE: 'de' }).channelLanguage, 'de');
    assert.equal(loadConfig({ DSR_CHANNEL_LANGUAGE: 'es' }).channelLanguage, 'es');
  });

  it('refuses a language the bot does not speak, naming the ones it does', () => {
    assert.throws(
      () => loadConfig({ DSR_CHANNEL_LANGUAGE: 'it' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /DSR_CHANNEL_LANGUAGE: expected one of en, de, fr, es \(got "it"\)/.test(error.message),
    );
    assert.throws(() => loadConfig({ DSR_CHANNEL_LANGUAGE: 'de-DE' }), /DSR_CHANNEL_LANGUAGE/);
  });
});
