#include "formats/typedb/labels.h"
