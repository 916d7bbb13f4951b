#include "cli/app.h"

int main(int argc, char** argv) { return decant::RunDecant(argc, argv); }
