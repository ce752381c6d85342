import type { Role } from '../schemas/vocabulary.js';

/** Who is calling: from a verified hub access token (or, later, a staff session). */
export interface Caller {
  clientId: string;
  organizationId: string | null;
  role: Role;
  scopes: string[];
}
