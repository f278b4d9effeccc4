import { postgresBackend } from './helpers/backend.js';
import { operationalSuite } from './helpers/operational-suite.js';

operationalSuite(postgresBackend);
