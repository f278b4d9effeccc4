import { postgresBackend } from './helpers/backend.js';
import { deliverySuite } from './helpers/delivery-suite.js';

deliverySuite(postgresBackend);
