import { sqliteBackend } from './helpers/backend.js';
import { manageSuite } from './helpers/manage-suite.js';

manageSuite(sqliteBackend);
