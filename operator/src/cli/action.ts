// `keelson action <env> <kind>/<name> <action> [--replicas <n>]`: a resource action
// (restart, scale, suspend, resume, retry) on one object the Environment manages. Like the
// other verbs it acts directly with the user's kubeconfig: a SelfSubjectAccessReview asks
// for verb `action` on the Environment first (the REST API asks the same of its callers),
// then the same code as the API (adapters/kubernetes/resource-actions.ts) writes the change
// as field manager `keelson-action` and records an ActionRun Event on the Environment. So
// the user needs, besides `action`, the right to patch the object itself (and to create
// Events; without it the action still runs and a warning says the Event is missing).
import * as k8s from '@kubernetes/client-node';
import { environmentDefinition, GROUP } from '../api/v1alpha1/index.ts';
import { ACTION_NAMES } from '../core/actions/catalog.ts';
import { ActionError, parseActionRequest, parseObjectRef } from '../core/actions/request.ts';
import { EventRecorder } from '../adapters/kubernetes/events.ts';
import { ResourceActions } from '../adapters/kubernetes/resource-actions.ts';
import { ResourceMap } from '../adapters/kubernetes/resource-map.ts';
import { RestTransport } from '../adapters/kubernetes/rest-transport.ts';
import { checkOutput, CLUSTER_OPTIONS, parseCommandArgs, UsageError, type Command } from './command.ts';
import { connect } from './cluster.ts';
import { render } from './format.ts';

export const actionCommand: Command = {
  name: 'action',
  summary: `Run a resource action (${ACTION_NAMES.join(', ')}) on an object an Environment manages`,
  usage:
    'keelson action <environment> <kind>/<name> <action> [--replicas <n>] [--resource-namespace <ns>] [-n <namespace>] [-o json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { ...CLUSTER_OPTIONS, replicas: { type: 'string' }, 'resource-namespace': { type: 'string' } },
      { min: 3, max: 3 },
    );
    const output = checkOutput(values.output);
    const [name, ref, action] = positionals as [string, string, string];
    let request;
    try {
      request = parseActionRequest({
        ...parseObjectRef(ref),
        action,
        namespace: values['resource-namespace'],
        // A string that is no count stays a string, which the check names.
        replicas:
          values.replicas !== undefined && /^\d+$/.test(values.replicas) ? Number(values.replicas) : values.replicas,
      });
    } catch (err) {
      if (err instanceof ActionError) throw new UsageError(err.message);
      throw err;
    }
    const cluster = connect(values, io);
    const allowed = await mayAction(cluster.kubeConfig, cluster.namespace, name);
    if (!allowed) {
      io.stderr(
        `keelson action: ${cluster.user} may not action environments ${name} in namespace ${cluster.namespace} (RBAC verb "action" on ${environmentDefinition.plural}.${GROUP})\n`,
      );
      return 1;
    }
    const env = await cluster.resources.getEnvironment(cluster.namespace, name);
    const transport = await RestTransport.fromKubeConfig(cluster.kubeConfig, { maxSockets: 2 });
    const events = new EventRecorder(cluster.kubeConfig, { redact: (t) => t });
    let eventMissing = false;
    try {
      const actions = new ResourceActions({
        connection: async () => ({ transport, resourceMap: new ResourceMap(transport) }),
        patchEnvironment: (ns, envName, patch) => cluster.resources.patchEnvironment(ns, envName, patch),
        record: async (target, type, reason, message) => {
          try {
            await events.record(target, type, reason, message);
          } catch {
            eventMissing = true;
          }
        },
      });
      const outcome = await actions.run(env, request, cluster.user);
      io.stdout(output ? render(outcome, output) : `${outcome.message}\n`);
      if (eventMissing) io.stderr('keelson action: warning: the Event on the Environment could not be recorded\n');
      return 0;
    } catch (err) {
      if (err instanceof ActionError) {
        io.stderr(`keelson action: ${err.message}\n`);
        return 1;
      }
      throw err;
    } finally {
      transport.close();
      events.close();
    }
  },
};

/** A SelfSubjectAccessReview: may the kubeconfig's user `action` this Environment? */
async function mayAction(kc: k8s.KubeConfig, namespace: string, name: string): Promise<boolean> {
  const review = await kc.makeApiClient(k8s.AuthorizationV1Api).createSelfSubjectAccessReview({
    body: {
      spec: {
        resourceAttributes: { group: GROUP, resource: environmentDefinition.plural, verb: 'action', namespace, name },
      },
    },
  });
  return review.status?.allowed === true;
}
