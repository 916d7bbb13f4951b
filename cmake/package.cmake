# The Debian package of what `cmake --install` installs (src/cli/CMakeLists.txt):
# CPack's DEB generator, run on a configured and built tree by scripts/package.sh
# (docs/install.md). Depends: computed by Debian's dpkg-shlibdeps (package dpkg-dev)
# from the libraries the binary links, which CPack finds with `file`; the binary
# is stripped. The file lands in <build>/package/decant_<version>_<arch>.deb.
set(DECANT_PACKAGE_MAINTAINER "decant maintainers <maintainers@users.noreply.b-seed-092aa9a7.example>"
    CACHE STRING "The Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME decant)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "move a database between engines, versions and machines, exactly")
# The long description; CPack puts the summary above it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "decant moves a database out of one installation and into another: a newer
version of the same engine, a different engine, or an archive file to keep.
It reads and writes SQLite, PostgreSQL 10 to 18 and MySQL/MariaDB, and a
documented, versioned, checksummed archive that carries the schema (keys,
constraints, indexes, views, triggers, sequences), not only rows.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${DECANT_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Only the binary package; `cpack` alone must not also pack the source tree.
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
