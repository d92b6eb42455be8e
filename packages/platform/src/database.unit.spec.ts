import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { toBigInt, withServerSetting } from './database.js';

describe('withServerSetting', () => {
  const optionsOf = (url: string) => new URL(url).searchParams.get('options');

  it('adds the setting to the startup options', () => {
    const url = withServerSetting('postgres://u@127.0.0.1:5432/db', 'synchronous_commit', 'off');
    assert.equal(optionsOf(url), '-c synchronous_commit=off');
    assert.equal(new URL(url).pathname, '/db');
  });

  it('keeps the options already there (a search_path) and the other parameters', () => {
    const url = withServerSetting(
      'postgres://u@127.0.0.1:5432/db?options=-c%20search_path%3Dviews&sslmode=disable',
      'synchronous_commit',
      'off',
    );
    assert.equal(optionsOf(url), '-c search_path=views -c synchronous_commit=off');
    assert.equal(new URL(url).searchParams.get('sslmode'), 'disable');
  });

  it('refuses anything that is not a plain name and value', () => {
    assert.throws(() => withServerSetting('postgres://h/db', 'a b', 'off'));
    assert.throws(() => withServerSetting('postgres://h/db', 'synchronous_commit', 'off -c x=y'));
  });
});

describe('toBigInt', () => {
  it('takes integer strings and safe numbers, nothing else', () => {
    assert.equal(toBigInt('-12'), -12n);
    assert.equal(toBigInt(7), 7n);
    assert.throws(() => toBigInt('1.5'));
    assert.throws(() => toBigInt(2 ** 60));
  });
});
