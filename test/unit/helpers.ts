import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/files');
export const fixture = (name: string) => path.join(FIXTURES, name);
export const readFixture = (name: string) => readFileSync(fixture(name));
export const PASS = 'fixture-Pa55';
export const UNICODE_PASS = 'pässwörd-🔐-测试';
