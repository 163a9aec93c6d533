/**
 * The ServiceAccount each tier of a ThreeTierApp runs as, checked (internal: not exported from the
 * package index). See {@link TierServiceAccount} for what the user gives.
 */
import { Construct } from 'constructs';
import { TierServiceAccount, TierServiceAccountOptions } from './service-account';
import { AppTier } from './tier-props';
import { propError } from '../../util/errors';
import { StructKeys, requireKnownKeys, requireMade, requireObject, requireOptionalStringArray } from '../../util/guards';
import { validateAnnotations, validateDnsSubdomain, validateLabels } from '../../util/validate';

const OPTIONS_KEYS: StructKeys<TierServiceAccountOptions> = { annotations: true, labels: true, imagePullSecrets: true };

/** The account a tier runs as, checked (internal). */
export interface TierAccount {
  /** The account's name: the pods' `serviceAccountName`, and their mesh identity. */
  readonly name: string;
  /** What the app writes on the account it creates; undefined for an existing account (the user's). */
  readonly create?: {
    readonly annotations: Record<string, string>;
    readonly labels: Record<string, string>;
    readonly imagePullSecrets: string[];
  };
}

/**
 * The account tier `tier` of the app runs as: from its `serviceAccount` prop (`given`), else, when the
 * mesh authorization needs an identity per tier (`meshTiers`), `<app>-<tier>` created bare; else none
 * (the namespace's `default`). `tierLabels` are the labels the app sets (not to be replaced).
 */
export function resolveTierAccount(app: Construct, tier: AppTier, appName: string, given: unknown, meshTiers: boolean,
  tierLabels: Record<string, string>): TierAccount | undefined {
  const prop = `${tier}.serviceAccount`;
  const own = `${appName}-${tier}`;
  if (given === undefined) return meshTiers ? { name: own, create: { annotations: {}, labels: {}, imagePullSecrets: [] } } : undefined;
  const account = requireMade(app, prop, given, TierServiceAccount, (x) => TierServiceAccount._isMade(x),
    'a TierServiceAccount made by TierServiceAccount.create({ ... }) or TierServiceAccount.existing(name)');
  if (account._options === undefined) {
    const name = validateDnsSubdomain(app, `${prop}.existing`, account._existingName as string);
    if (meshTiers && name === 'default') {
      throw propError(app, `${prop}.existing`, '\'default\' is the account of every pod of the namespace that names none, so it cannot be the '
        + `${tier} tier's mesh identity under meshTierAuthorization: name an account of the tier's own, or set meshTierAuthorization: false`);
    }
    return { name };
  }
  const options = requireKnownKeys(app, prop, requireObject(app, prop, account._options), OPTIONS_KEYS);
  const annotations = validateAnnotations(app, `${prop}.annotations`, options.annotations);
  const labels = validateLabels(app, `${prop}.labels`, options.labels);
  for (const key of Object.keys(labels)) {
    if (Object.prototype.hasOwnProperty.call(tierLabels, key)) throw propError(app, `${prop}.labels`, `'${key}' is set by ThreeTierApp (the tier's label, which its policies select on)`);
  }
  const secrets = (requireOptionalStringArray(app, `${prop}.imagePullSecrets`, options.imagePullSecrets) ?? [])
    .map((s, i) => validateDnsSubdomain(app, `${prop}.imagePullSecrets[${i}]`, s));
  secrets.forEach((s, i) => {
    if (secrets.indexOf(s) !== i) throw propError(app, `${prop}.imagePullSecrets[${i}]`, `'${s}' is listed twice`);
  });
  return { name: own, create: { annotations, labels, imagePullSecrets: secrets } };
}

/**
 * The accounts of the three tiers together: an existing account may not be one the app creates for
 * another tier (the app would manage it after all), and under the mesh authorization (`meshTiers`)
 * no two tiers may share one, since the mesh tells the hops apart by the source's account alone.
 */
export function checkTierAccounts(app: Construct, accounts: ReadonlyArray<{ tier: AppTier; account?: TierAccount }>, meshTiers: boolean): void {
  for (const [i, { tier, account }] of accounts.entries()) {
    if (account === undefined) continue;
    const created = accounts.find((o) => o.tier !== tier && o.account?.create !== undefined && o.account.name === account.name);
    if (account.create === undefined && created !== undefined) {
      throw propError(app, `${tier}.serviceAccount.existing`, `'${account.name}' is the ServiceAccount the app creates for the ${created.tier} `
        + 'tier: name an account you manage, or give this tier its own (TierServiceAccount.create())');
    }
    const earlier = accounts.slice(0, i).find((o) => o.account?.name === account.name);
    if (meshTiers && earlier !== undefined) {
      throw propError(app, `${tier}.serviceAccount.existing`, `the ${earlier.tier} tier runs as the ServiceAccount '${account.name}' too: under `
        + 'meshTierAuthorization each tier needs a mesh identity of its own, which the mesh authorizes the tier hops by (the frontend may reach '
        + 'the backend port only, the backend the database port only). Give each tier its own account, or set meshTierAuthorization: false');
    }
  }
}
