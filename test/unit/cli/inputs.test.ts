import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/command.ts';
import { parseKeyValues, parseValues, readValuesFile, typedValue } from '../../../cli/inputs.ts';

describe('typedValue', () => {
  it.each([
    ['8080', 8080],
    ['-3', -3],
    ['1.5', 1.5],
    ['1e3', 1000],
    ['true', true],
    ['false', false],
    ['null', null],
    ['[1, "a"]', [1, 'a']],
    ['{"a": {"b": 2}}', { a: { b: 2 } }],
    ['[a, b]', ['a', 'b']],
    ['"8080"', '8080'],
    ['hello world', 'hello world'],
    ['', ''],
    ['yes', 'yes'],
    ['0x10', '0x10'],
    ['2024-01-01', '2024-01-01'],
    ['http://host:80/x', 'http://host:80/x'],
  ])('types %j as %j', (raw, expected) => {
    expect(typedValue(raw)).toEqual(expected);
  });

  it('refuses a value that looks like JSON but is broken', () => {
    expect(() => typedValue('{"a": ')).toThrow(UsageError);
  });
});

describe('parseKeyValues', () => {
  it('splits on the first = only', () => {
    expect(parseKeyValues('query=a=b')).toEqual({ query: 'a=b' });
  });

  it('splits several pairs joined by ;', () => {
    expect(parseKeyValues('port=8080;ip=10.0.0.1;debug=true')).toEqual({
      port: 8080,
      ip: '10.0.0.1',
      debug: true,
    });
  });

  it('keeps a ; inside a value when the pieces are not all key=value', () => {
    expect(parseKeyValues('cmd=echo a; echo b')).toEqual({ cmd: 'echo a; echo b' });
  });
});

describe('parseValues', () => {
  const files: Record<string, string> = {
    'inputs.yaml': 'webserver_port: 9000\nname: web\ntags: [a, b]\n',
    'inputs.json': '{"webserver_port": 9001, "nested": {"x": true}}',
    'list.yaml': '- a\n- b\n',
    'empty.yaml': '',
    'broken.yaml': 'a: [1,\n',
  };
  const read = (p: string) => {
    const text = files[p];
    if (text === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    return text;
  };

  it('reads YAML and JSON files and lets later arguments override earlier ones', () => {
    expect(parseValues(['inputs.yaml', 'inputs.json', 'name=override'], read)).toEqual({
      webserver_port: 9001,
      name: 'override',
      tags: ['a', 'b'],
      nested: { x: true },
    });
  });

  it('treats an empty file as no values', () => {
    expect(parseValues(['empty.yaml'], read)).toEqual({});
  });

  it('refuses a file that is not a mapping, naming it', () => {
    expect(() => readValuesFile('list.yaml', read)).toThrow(/list.yaml` must hold a mapping/);
  });

  it('refuses broken YAML, naming the file', () => {
    expect(() => readValuesFile('broken.yaml', read)).toThrow(/broken.yaml` is not valid YAML or JSON/);
  });

  it('says what it expected when an argument is neither key=value nor a readable file', () => {
    expect(() => parseValues(['webserver_port'], read)).toThrow(
      /cannot read `webserver_port` \(ENOENT\): expected key=value or a YAML\/JSON file/,
    );
  });
});
