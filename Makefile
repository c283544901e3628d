# Makefile — builds iscsi-harness and the libraries its parts share, and runs
# the tests, benchmarks, fuzzers and the golden-capture generator.
#
#   make                 build (installs missing Debian packages first, as root)
#   make test            every test (cmocka unit tests, tshark agreement)
#   make golden          regenerate captures/golden/ and check it with tshark
#   make bench           benchmarks, as ratios against a named peer (memcpy,
#                        tshark, tgtd) measured in the same run
#   make fuzz            each libFuzzer harness for FUZZ_SECONDS (default 20)
#   make fuzz-corpus     regenerate fuzz_target's recorded seed sessions
#   CC=clang make ...    any of the above with clang
#   make SANITIZE=1 ...  with ASan + UBSan
#
# Each (compiler, sanitizer) pair builds in its own directory under build/,
# so switching between them never mixes objects.

SANITIZE ?= 0
FUZZ_SECONDS ?= 20
FUZZ_CC ?= clang
CC_NAME := $(notdir $(firstword $(CC)))
BUILD ?= build/$(CC_NAME)$(if $(filter 1,$(SANITIZE)),-san)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_DEFAULT_SOURCE $(WARN) -I. -MMD -MP
LDLIBS := -lisal -lpcap -lcrypto
ifeq ($(SANITIZE),1)
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS += $(SAN)
LDFLAGS += $(SAN)
endif

PDU_SRC := $(sort $(wildcard pdu/*.c))
HARNESS_SRC := harness/event.c $(sort $(wildcard harness/capture/*.c harness/check/*.c harness/diff/*.c harness/report/*.c \
	harness/net/*.c harness/proto/*.c harness/roles/*.c))
CLI_SRC := $(sort $(wildcard harness/cli/*.c))
TEST_SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIBPDU := $(BUILD)/libpdu.a
LIBHARNESS := $(BUILD)/libharness.a
BIN := $(BUILD)/iscsi-harness
TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))
BENCHES := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
# bench_check (checker against tshark on large captures) runs last
BENCHES := $(filter-out %/bench_check,$(BENCHES)) $(filter %/bench_check,$(BENCHES))
FUZZERS := $(patsubst fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
GEN_TARGET_CORPUS := $(BUILD)/fuzz/gen_target_corpus
DEPS_OK := build/.deps-ok

.PHONY: all test golden bench fuzz fuzz-build fuzz-corpus deps clean
# Keep objects that pattern chains would otherwise delete as intermediate.
.SECONDARY:
all: $(BIN) iscsi-harness

# Missing Debian packages are installed by the project's one script; the
# stamp makes that a no-op once done (it re-runs when the script changes).
$(DEPS_OK): scripts/install-deps
	@scripts/install-deps
	@mkdir -p $(dir $@) && touch $@
deps: $(DEPS_OK)

$(BUILD)/obj/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIBPDU): $(call obj,$(PDU_SRC))
	@rm -f $@
	$(AR) rcs $@ $^
$(LIBHARNESS): $(call obj,$(HARNESS_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(call obj,$(CLI_SRC)) $(LIBHARNESS) $(LIBPDU)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

iscsi-harness: $(BIN)
	ln -sf $(BIN) $@

$(BUILD)/tests/%: $(call obj,tests/unit/%.c) $(call obj,$(TEST_SUPPORT_SRC)) $(LIBHARNESS) $(LIBPDU)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# Every test binary runs; the run fails if any failed. Tests find the
# harness binary and scratch space through these variables.
test: $(TESTS) $(BIN) $(GEN_TARGET_CORPUS)
	@mkdir -p $(BUILD)/scratch
	@failed=0; for t in $(TESTS); do \
	  echo "== $$t"; \
	  HARNESS_BIN=$(BIN) HARNESS_SCRATCH=$(BUILD)/scratch $$t || failed=$$((failed+1)); \
	done; \
	echo "== $(words $(TESTS)) test programs, $$failed failed"; \
	test $$failed -eq 0

golden: $(BIN) $(BUILD)/tests/test_tshark_golden $(BUILD)/tests/test_golden_mcs
	@mkdir -p $(BUILD)/scratch
	$(BIN) golden --out captures/golden/every-opcode.pcap
	HARNESS_BIN=$(BIN) HARNESS_SCRATCH=$(BUILD)/scratch GOLDEN_PCAP=captures/golden/every-opcode.pcap \
	  $(BUILD)/tests/test_tshark_golden
	$(BIN) golden --session mcs-four-connections --out captures/golden/mcs-four-connections.pcap
	HARNESS_BIN=$(BIN) HARNESS_SCRATCH=$(BUILD)/scratch GOLDEN_MCS_PCAP=captures/golden/mcs-four-connections.pcap \
	  $(BUILD)/tests/test_golden_mcs
	$(BIN) check captures/golden/every-opcode.pcap captures/golden/mcs-four-connections.pcap

# Benchmarks may use the tests' peers (tgtd, the harness target, libiscsi
# programs built at run time) and their scripted initiator.
BENCH_SUPPORT_SRC := tests/support/peers.c tests/support/tini.c tests/support/tshark.c
$(BUILD)/bench/%: $(call obj,bench/%.c) $(call obj,$(BENCH_SUPPORT_SRC)) $(LIBHARNESS) $(LIBPDU)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# bench_check runs the built binary against tshark.
bench: $(BENCHES) $(BIN)
	@for b in $(BENCHES); do HARNESS_BIN=$(BIN) $$b || exit 1; done

# Fuzzers: clang + libFuzzer + ASan/UBSan, the code under test compiled in.
FUZZ_FLAGS := -std=c11 -D_DEFAULT_SOURCE -I. -g -O1 $(WARN) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
build/fuzz/%: fuzz/%.c $(PDU_SRC) $(HARNESS_SRC) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^) $(LDLIBS)
build/fuzz/fuzz_target: fuzz/target_script.h
fuzz-build: $(FUZZERS)

# fuzz_target's seeds are the test initiator's sessions, recorded as the
# fuzzer's scripts (fuzz/gen_target_corpus.c); regenerated after a change
# to the target's protocol or to fuzz/target_script.h.
$(GEN_TARGET_CORPUS): $(call obj,fuzz/gen_target_corpus.c) $(call obj,$(TEST_SUPPORT_SRC)) $(LIBHARNESS) $(LIBPDU)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka
fuzz-corpus: $(GEN_TARGET_CORPUS)
	@mkdir -p fuzz/corpus/fuzz_target
	$(GEN_TARGET_CORPUS) fuzz/corpus/fuzz_target

# Each fuzzer starts from its committed seed corpus (read only) and keeps
# what it learns in build/fuzz/corpus-NAME; crashes land in build/fuzz/.
# fuzz/NAME.dict, when there is one, is its dictionary.
fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$$(basename $$f); \
	  mkdir -p build/fuzz/corpus-$$n; \
	  dict=; test -f fuzz/$$n.dict && dict=-dict=fuzz/$$n.dict; \
	  echo "== $$n for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$dict \
	    -artifact_prefix=build/fuzz/$$n- build/fuzz/corpus-$$n fuzz/corpus/$$n \
	    2>build/fuzz/$$n.log || { tail -40 build/fuzz/$$n.log; exit 1; }; \
	  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' build/fuzz/$$n.log; \
	done

clean:
	rm -rf build iscsi-harness

-include $(shell find build -name '*.d' 2>/dev/null)
