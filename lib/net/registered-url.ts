import { badRequest, unavailable } from '../errors.js';
import { assertPublicUrl, UnsafeTargetError } from './ssrf.js';

/**
 * The SSRF guard at registration, for every URL the hub will call (partner targets, token
 * endpoints, client JWKS URLs), answered as the API answers: a refusal is a 400 naming `field`,
 * a host that does not resolve is the caller's mistake (400), and a name server that does not
 * answer is a 503, never a 500. The guard runs again on the address actually connected to,
 * since the name may resolve elsewhere later (DNS rebinding).
 */
export async function assertRegisteredUrlIsPublic(field: string, url: string, allowPrivate: boolean): Promise<void> {
  try {
    await assertPublicUrl(url, { allowPrivate });
  } catch (error) {
    if (error instanceof UnsafeTargetError) throw badRequest(error.message, [{ path: field, message: error.message }]);
    const { syscall, code } = error as NodeJS.ErrnoException;
    if (syscall === 'getaddrinfo' && (code === 'ENOTFOUND' || code === 'ENODATA')) {
      throw badRequest(`the host of ${field} does not resolve`, [{ path: field, message: 'the host does not resolve' }]);
    }
    if (syscall === 'getaddrinfo') throw unavailable(`the host of ${field} could not be resolved now; try again shortly`);
    throw error;
  }
}
