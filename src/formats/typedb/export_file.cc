#include "formats/typedb/export_file.h"
