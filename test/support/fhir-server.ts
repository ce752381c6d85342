// The FHIR R4 server moved to dev/ so that `npm run demo` can run one for its FHIR partners; tests import it from here as before.
export * from '../../dev/fhir-server.js';
