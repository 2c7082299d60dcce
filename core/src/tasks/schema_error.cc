// Schema failures as task errors (08 §1). Request validation itself is per
// task: the `validate` column of the task table (tasks/table.cc).
#include "tasks/tasks.h"

namespace adcp {

TaskError SchemaError(ErrorCode code, const schema::Failure& f) {
  TaskError e = MakeError(code, f.message, f.field);
  json::Value issue = json::Obj({{"pointer", f.pointer}, {"message", f.message}, {"keyword", f.keyword}});
  e.issues = json::Value(json::Array{issue});
  return e;
}


}  // namespace adcp
