# Every dependency comes from Debian; a missing one stops configuration with
# the name of the package that provides it.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config")
endif()

function(wasmperf_require_pkg target module debian_package)
  pkg_check_modules(${target} IMPORTED_TARGET ${module})
  if(NOT ${target}_FOUND)
    message(FATAL_ERROR "${module} not found: apt-get install ${debian_package}")
  endif()
endfunction()

wasmperf_require_pkg(TRACEEVENT libtraceevent libtraceevent-dev)
wasmperf_require_pkg(LIBELF libelf libelf-dev)
wasmperf_require_pkg(LIBDW libdw libdw-dev)
wasmperf_require_pkg(PCRE2 libpcre2-8 libpcre2-dev)
wasmperf_require_pkg(ZLIB zlib zlib1g-dev)
wasmperf_require_pkg(ZSTD libzstd libzstd-dev)

# libiberty ships no .pc file.
find_library(LIBIBERTY_LIBRARY NAMES libiberty.a iberty)
find_path(LIBIBERTY_INCLUDE_DIR demangle.h PATH_SUFFIXES libiberty)
if(NOT LIBIBERTY_LIBRARY OR NOT LIBIBERTY_INCLUDE_DIR)
  message(FATAL_ERROR "libiberty not found: apt-get install libiberty-dev")
endif()
add_library(wasmperf_iberty INTERFACE)
target_link_libraries(wasmperf_iberty INTERFACE ${LIBIBERTY_LIBRARY})
target_include_directories(wasmperf_iberty INTERFACE ${LIBIBERTY_INCLUDE_DIR})
