/**
 * Where the embedded cloud counts the faults it injects in the per-second record (docs/CONTRACTS.md): one counter
 * series per fault kind, dimension Kind. Local only: AWS publishes nothing like it, so the deployed dashboard never
 * draws it; the local dashboard and the report do when a run had faults.
 */
export const FAULTS_NAMESPACE = "EmbeddedCloud/Faults";
export const FAULTS_METRIC = "FaultsInjected";
export const FAULTS_DIMENSION = "Kind";
