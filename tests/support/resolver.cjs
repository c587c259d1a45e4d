// Some ESM-only packages (unicorn-magic, ...) publish only an 'import' export condition. Jest resolves
// with CommonJS conditions; when that finds nothing, resolve again as an import would. SWC then turns
// the file into CommonJS like the rest of node_modules. If that fails too, its error is the one thrown.
module.exports = (request, options) => {
  try {
    return options.defaultResolver(request, options);
  } catch (cjsError) {
    try {
      return options.defaultResolver(request, { ...options, conditions: ['import', 'node', 'default'] });
    } catch {
      throw cjsError;
    }
  }
};
