import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CliError } from './hubctl/errors.js';
import { CLIENT_KEY_ALGS, checkAlg, keygen } from './hubctl/keys.js';
import { listen } from './hubctl/listen.js';
import { requestToken, signAssertion } from './hubctl/token.js';
import { createStaff } from './hubctl/staff.js';
import { deleteIdentityProvider, setIdentityProvider, showIdentityProvider } from './hubctl/identity-provider.js';

/**
 * hubctl: a small companion for people and scripts that talk to the hub (the README walkthrough
 * uses every command). Each command has `--help`; a failure is one line on stderr and exit 1, a
 * command-line mistake exit 2.
 */
const program = new Command('hubctl')
  .description('Keys, tokens and a webhook listener for trying out and scripting the referral hub.')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`hubctl: ${text.replace(/^error: /, '')}`) });

const hubUrl = () =>
  new Option('--url <url>', "the hub's public URL (the token audience names it)")
    .env('HUB_URL')
    .default('http://localhost:8080')
    .argParser((value: string) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw new InvalidArgumentError('not a URL');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('not an http(s) URL');
      return value;
    });

/** The admin client hubctl signs in as for admin calls, and its key. */
const adminOptions = (command: Command) =>
  command
    .addOption(new Option('--client <client-id>', 'the admin client to act as').env('HUB_ADMIN_CLIENT_ID').default('hub-admin'))
    .addOption(new Option('--key <private-key-file>', "the admin client's private key (npm start writes it into .hub/)").default('.hub/admin-private-jwk.json'))
    .addOption(hubUrl());

const port = (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError('a port number from 1 to 65535');
  return n;
};

program
  .command('keygen')
  .description('Write a new private key (JWK, mode 0600) and print the public JWKS to register with POST /v1/clients.')
  .argument('<private-key-file>', 'where to write the private key')
  .option('--alg <alg>', `signing algorithm: ${CLIENT_KEY_ALGS.join(', ')}`, 'ES256')
  .option('--force', 'replace an existing key file (a client registered with the old key can no longer sign in)')
  .action(async (file: string, opts: { alg: string; force?: boolean }) => {
    const publicJwks = await keygen(file, checkAlg(opts.alg), opts.force === true);
    process.stdout.write(`${JSON.stringify(publicJwks)}\n`);
  });

program
  .command('token')
  .description("Sign a client assertion with the client's key, trade it at the hub's /oauth/token, print the access token.")
  .requiredOption('--client <client-id>', 'the client id the hub registered')
  .requiredOption('--key <private-key-file>', "the client's private key, as keygen wrote it")
  .addOption(hubUrl())
  .action(async (opts: { client: string; key: string; url: string }) => {
    const token = await requestToken(await signAssertion(opts.client, opts.key, opts.url), opts.url);
    process.stdout.write(`${token}\n`);
  });

program
  .command('assertion')
  .description('Print a signed client assertion (private_key_jwt) without calling the hub.')
  .requiredOption('--client <client-id>', 'the client id the hub registered')
  .requiredOption('--key <private-key-file>', "the client's private key, as keygen wrote it")
  .addOption(hubUrl())
  .action(async (opts: { client: string; key: string; url: string }) => {
    process.stdout.write(`${await signAssertion(opts.client, opts.key, opts.url)}\n`);
  });

program
  .command('listen')
  .description("A partner's webhook endpoint: verifies each signature, prints each message as one JSON line.")
  .requiredOption('--secret <secret>', "the organisation's webhook secret, whsec_… (shown once, when the organisation was created)")
  .option('--port <port>', 'port to listen on', port, 9000)
  .option('--host <address>', 'address to listen on (0.0.0.0 to let a hub in a container reach it)', '127.0.0.1')
  .action(async (opts: { secret: string; port: number; host: string }) => {
    await listen(opts);
  });

const staff = program.command('staff').description('Accounts for people who sign in to the web console (/console).');
adminOptions(
  staff
    .command('create')
    .description('Create a console account through POST /v1/staff, signing in as the admin client; prints the account as JSON.')
    .requiredOption('--role <role>', 'admin, planner, partner, compliance or manager: the same roles as API clients')
    .requiredOption('--name <name>', "the person's name")
    .requiredOption('--email <address>', 'what they sign in with')
    .option('--organization <org-id>', 'their organisation (org_…); required for every role but admin')
    .option('--oidc-subject <sub>', "their subject at their organisation's identity provider, when it matches accounts by subject")
    .addOption(new Option('--password <password>', 'the initial password, at least 12 characters (or HUB_STAFF_PASSWORD, kept out of the shell history)').env('HUB_STAFF_PASSWORD').makeOptionMandatory()),
).action(async (opts: { role: string; name: string; email: string; organization?: string; oidcSubject?: string; password: string; client: string; key: string; url: string }) => {
  const created = await createStaff(opts);
  process.stdout.write(`${JSON.stringify(created)}\n`);
});

const identityProvider = program
  .command('identity-provider')
  .description("An organisation's own OpenID Connect provider, through which its staff sign in to the console.");
adminOptions(
  identityProvider
    .command('set')
    .description('Set or replace it (PUT /v1/organizations/{id}/identity-provider); prints it as JSON, with the redirect URI to register at the provider.')
    .argument('<org-id>', 'the organisation (org_…)')
    .requiredOption('--issuer <url>', "the provider's Issuer Identifier (https)")
    .requiredOption('--client-id <id>', 'the client registered for the hub at the provider')
    .addOption(new Option('--client-secret <secret>', "that client's secret (or HUB_IDP_CLIENT_SECRET); required the first time and when --client-id or --issuer changes").env('HUB_IDP_CLIENT_SECRET'))
    .addOption(new Option('--match-by <claim>', 'how people map to staff accounts: sub (the account records it) or email (verified address)').choices(['sub', 'email']).makeOptionMandatory())
    .option('--email-domain <domain>', "the organisation's mail domain: staff typing an address of it are sent to this provider"),
).action(async (orgId: string, opts: { issuer: string; clientId: string; clientSecret?: string; matchBy: string; emailDomain?: string; client: string; key: string; url: string }) => {
  process.stdout.write(`${JSON.stringify(await setIdentityProvider(orgId, opts))}\n`);
});
adminOptions(identityProvider.command('show').description('Print it as JSON (never the client secret).').argument('<org-id>', 'the organisation (org_…)'))
  .action(async (orgId: string, opts: { client: string; key: string; url: string }) => {
    process.stdout.write(`${JSON.stringify(await showIdentityProvider(orgId, opts))}\n`);
  });
adminOptions(identityProvider.command('delete').description('Remove it: the staff sign in with passwords only.').argument('<org-id>', 'the organisation (org_…)'))
  .action(async (orgId: string, opts: { client: string; key: string; url: string }) => {
    await deleteIdentityProvider(orgId, opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version exit 0; commander has already printed its message.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  // A CliError is meant for people; anything else is a bug, still shown without a stack trace.
  process.stderr.write(`hubctl: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
