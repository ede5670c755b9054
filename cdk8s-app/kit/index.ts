// The Keelson deploy-repo kit: what a deploy repository imports from '@keelson/cdk8s-app'.
export { App, type AppProps } from './app.ts';
export { Environment, type EnvironmentProps } from './environment.ts';
export {
  defineEnvironments,
  definitionOf,
  DefinitionError,
  UnknownEnvironmentError,
  type EnvironmentBuilder,
  type EnvironmentsDefinition,
} from './definition.ts';
export { Hook, type HookDeletePolicy, type HookOptions, type HookPhase } from './hook.ts';
export { Images, ImageReferenceError, parseImagesFile, type ImagesFileContent } from './images.ts';
export { Kustomization, type KustomizationProps } from './kustomization.ts';
export { PassSecret, type PassReference, type PassSecretProps } from './pass-secret.ts';
export { SyncWave } from './sync-wave.ts';
export {
  buildEnvironment,
  listEnvironments,
  synthesizeEnvironment,
  type AppManifests,
  type SynthesizeOptions,
} from './synthesize.ts';
export {
  ANNOTATION_HOOK,
  ANNOTATION_HOOK_DELETE_POLICY,
  ANNOTATION_PASS_REFS,
  ANNOTATION_SYNC_WAVE,
  LABEL_APP,
} from './keys.ts';
