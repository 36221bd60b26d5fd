#include "emu/devices/io_apic.h"

#include <cstdio>

namespace slot::emu {

namespace {
constexpr uint32_t kVersion = 0x20 | ((IoApic::kPins - 1) << 16);  // QEMU's: version 0x20, 24 entries
constexpr uint64_t kMasked = 1ull << 16, kLevel = 1ull << 15, kRemoteIrr = 1ull << 14, kPending = 1ull << 12;
constexpr uint64_t kLogical = 1ull << 11;
// Writable bits of an entry: vector, delivery mode, destination mode,
// polarity, trigger mode, mask, destination (82093AA §3.2.4).
constexpr uint64_t kWritable = 0xFF00'0000'0001'AFFFull;
}  // namespace

void IoApic::reset() {
  st_ = State{};
  for (uint64_t& e : st_.entry) e = kMasked;
}

uint64_t IoApic::mmio_read(uint64_t offset, unsigned size) {
  if (size != 4) return 0;
  if (offset == 0x00) return st_.select;
  if (offset != 0x10) return 0;
  const uint32_t r = st_.select & 0xFF;
  if (r == 0x00) return st_.id << 24;
  if (r == 0x01) return kVersion;
  if (r == 0x02) return st_.id << 24;  // arbitration ID
  if (r >= 0x10 && r < 0x10 + 2 * kPins) {
    const uint64_t e = st_.entry[(r - 0x10) / 2];
    return uint32_t(r & 1 ? e >> 32 : e);
  }
  return 0xFFFFFFFF;  // unimplemented registers (QEMU)
}

void IoApic::mmio_write(uint64_t offset, unsigned size, uint64_t value) {
  if (size != 4) return;
  const uint32_t v = uint32_t(value);
  if (offset == 0x00) {
    st_.select = v & 0xFF;
    return;
  }
  if (offset == 0x40) {  // EOI register (version 0x20)
    eoi(uint8_t(v));
    return;
  }
  if (offset != 0x10) return;
  const uint32_t r = st_.select;
  if (r == 0x00) {
    st_.id = (v >> 24) & 0xF;
    return;
  }
  if (r < 0x10 || r >= 0x10 + 2 * kPins) return;
  const unsigned pin = (r - 0x10) / 2;
  uint64_t& e = st_.entry[pin];
  const uint64_t ro = e & (kRemoteIrr | kPending);
  const uint64_t nv = r & 1 ? (e & 0xFFFFFFFFull) | (uint64_t(v) << 32) : (e & ~0xFFFFFFFFull) | v;
  e = (nv & kWritable) | ro;
  if (!(e & kLevel)) e &= ~kRemoteIrr;  // remote IRR means nothing for edge entries
  service(pin);
}

void IoApic::set_irq(unsigned pin, bool level) {
  if (pin >= kPins) return;
  const uint32_t bit = 1u << pin;
  const bool rising = level && !(st_.levels & bit);
  st_.levels = level ? st_.levels | bit : st_.levels & ~bit;
  const uint64_t e = st_.entry[pin];
  if (e & kMasked) return;
  if (e & kLevel) service(pin);
  else if (rising && ((e >> 8) & 7) <= 1) deliver_(uint8_t(e), false, uint8_t(e >> 56), e & kLogical);
}

// A level-triggered pin that is asserted, unmasked and not awaiting an EOI
// delivers its vector and waits.
void IoApic::service(unsigned pin) {
  uint64_t& e = st_.entry[pin];
  if (!(e & kLevel) || (e & (kMasked | kRemoteIrr)) || !(st_.levels & (1u << pin))) return;
  const unsigned mode = (e >> 8) & 7;
  if (mode > 1) return;  // SMI, NMI, INIT, ExtINT: not delivered
  e |= kRemoteIrr;
  deliver_(uint8_t(e), true, uint8_t(e >> 56), e & kLogical);
}

void IoApic::eoi(uint8_t vector) {
  for (unsigned pin = 0; pin < kPins; ++pin) {
    uint64_t& e = st_.entry[pin];
    if ((e & kRemoteIrr) && uint8_t(e) == vector) {
      e &= ~kRemoteIrr;
      service(pin);  // still asserted: delivered again
    }
  }
}

void IoApic::serialize(Serializer& s) {
  s.tag("ioapic");
  s.io(st_);
}

std::string IoApic::dump() const {
  std::string out = "ioapic:";
  for (unsigned pin = 0; pin < kPins; ++pin) {
    const uint64_t e = st_.entry[pin];
    if (e & kMasked) continue;
    char b[64];
    std::snprintf(b, sizeof b, " pin%u=%#llx", pin, (unsigned long long)e);
    out += b;
  }
  return out + "\n";
}

}  // namespace slot::emu
