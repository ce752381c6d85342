import { adminCall, type AdminOptions } from './admin-api.js';

export interface StaffOptions extends AdminOptions {
  role: string;
  name: string;
  email: string;
  organization?: string;
  password: string;
  oidcSubject?: string;
}

/** Creates a console account through the API (POST /v1/staff) as the admin client. */
export async function createStaff(opts: StaffOptions): Promise<{ id: string; email: string; role: string }> {
  const body = {
    role: opts.role, name: opts.name, email: opts.email, password: opts.password,
    ...(opts.organization ? { organizationId: opts.organization } : {}), ...(opts.oidcSubject ? { oidcSubject: opts.oidcSubject } : {}),
  };
  return (await adminCall<{ id: string; email: string; role: string }>(opts, 'POST', '/v1/staff', body, 'the account', [201]))!;
}
