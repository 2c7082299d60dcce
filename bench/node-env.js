// Pre-js for the Emscripten build of core_bench: the node process's
// environment as the program's getenv() sees it.
Module['preRun'] = [function () { Object.assign(ENV, process.env); }];
