#include "formats/typedb/typedb_values.h"
