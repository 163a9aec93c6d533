/** Flux settings after defaults. */
export interface ResolvedFlux {
  readonly namespace: string;
  readonly interval: string;
  readonly remediationRetries: number;
}

/** Argo CD settings after defaults. */
export interface ResolvedArgoCd {
  readonly namespace: string;
  readonly project: string;
  readonly destinationServer: string;
  readonly automated: boolean;
  readonly retryLimit: number;
}
