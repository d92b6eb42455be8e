#!/usr/bin/env node
// Writes the typed client's types from the gateway's OpenAPI document: `npm run api:gen`.
import { writeFileSync } from 'node:fs';
import { GENERATED_API_TYPES, generateApiTypes } from '../api/generate.js';

writeFileSync(GENERATED_API_TYPES, await generateApiTypes());
console.log(`wrote ${GENERATED_API_TYPES}`);
