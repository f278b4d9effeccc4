import { sqliteBackend } from './helpers/backend.js';
import { operationalSuite } from './helpers/operational-suite.js';

operationalSuite(sqliteBackend);
