# The install test: before the tests run, `make check` stages a
# `make install` under tests/install-stage (DESTDIR, so it works the same
# inside distcheck and never touches the real prefix); the test then builds
# every installed example out of tree with nothing but pkg-config, runs
# the self-contained one, and checks the man pages and the command landed.
INSTALL_STAGE = tests/install-stage
check_DATA = $(INSTALL_STAGE).stamp
$(INSTALL_STAGE).stamp: $(lib_LTLIBRARIES) $(bin_PROGRAMS) $(pkgconfig_DATA) $(include_HEADERS) \
		$(kafkaliteinclude_HEADERS) $(dist_example_DATA) $(dist_man_MANS)
	rm -rf $(INSTALL_STAGE)
	$(MAKE) $(AM_MAKEFLAGS) install DESTDIR=$(abs_builddir)/$(INSTALL_STAGE) >/dev/null
	touch $@
CLEANFILES += $(INSTALL_STAGE).stamp
clean-local: clean-install-stage
.PHONY: clean-install-stage
clean-install-stage:
	rm -rf $(INSTALL_STAGE)

TESTS += tests/tools/test_install.sh
EXTRA_DIST += tests/tools/test_install.sh
