// The nightly sales report, a Kustomize base with one overlay per environment
// (kustomize/overlays/dev, kustomize/overlays/prod), as the team brought it from Argo CD.
import { App, Kustomization, type Environment } from '@keelson/cdk8s-app';

export class ReportsApp extends App {
  constructor(env: Environment, name: string) {
    super(env, name);
    new Kustomization(this, 'overlay', { path: `kustomize/overlays/${env.name}` });
  }
}
