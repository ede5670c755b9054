// oxlint rules of this project's own (a JS plugin, .oxlintrc.json's jsPlugins) for what the
// built-in rules cannot say. `keelson/no-clock`: in operator/src/core, `new Date()` without an
// argument reads the clock, as Date.now() does; pure code takes the time as a parameter.
export default {
  meta: { name: 'keelson' },
  rules: {
    'no-clock': {
      meta: { type: 'problem', docs: { description: 'no reading of the clock by new Date()' } },
      create(context) {
        return {
          NewExpression(node) {
            if (node.callee.type !== 'Identifier' || node.callee.name !== 'Date' || node.arguments.length > 0) return;
            context.report({
              node,
              message: 'operator/src/core is pure: new Date() reads the clock; take the time (`now`) as a parameter.',
            });
          },
        };
      },
    },
  },
};
