import { sqliteBackend } from './helpers/backend.js';
import { deliverySuite } from './helpers/delivery-suite.js';

deliverySuite(sqliteBackend);
