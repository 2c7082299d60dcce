// Passes the test environment variables through to the WASM build of the
// Catch2 suite (Emscripten's getenv reads its own ENV object).
Module['preRun'] = Module['preRun'] || [];
Module['preRun'].push(function () {
  for (var k of ['ADCP_NUMBER_CORPUS', 'ADCP_NUMBER_PARSE_CORPUS', 'ADCP_WIRE_DUMP']) if (process.env[k]) ENV[k] = process.env[k];
});
