// What the platform team keeps as plain YAML: every file of manifests/, included as it is.
import { App, type Environment } from '@keelson/cdk8s-app';
import { Include } from 'cdk8s';

export class PlatformApp extends App {
  constructor(env: Environment, name: string) {
    super(env, name);
    new Include(this, 'manifests', { url: 'manifests' });
  }
}
