// The Kubernetes objects a construct stands for: itself when it is an ApiObject, otherwise
// every ApiObject under it (a cdk8s-plus Job, a Deployment with its Service, a whole chart).
import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';

export function apiObjectsOf(target: IConstruct, what: string): ApiObject[] {
  const objects = target.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  if (objects.length === 0) throw new Error(`${what}: no Kubernetes object under "${target.node.path}"`);
  return objects;
}
