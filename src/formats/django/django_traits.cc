#include "formats/django/django_format.h"

namespace decant::django {

const EngineTraits* Traits() {
  static const EngineTraits kTraits = [] {
    EngineTraits t;
    t.name = "django";
    t.display_name = "Django fixture";
    // A fixture is written from the values as read: the sink formats each by
    // its column's type (django_values.h), so nothing is converted before it.
    t.values.keeps_values_as_read = true;
    return t;
  }();
  return &kTraits;
}

}  // namespace decant::django
