// One-paragraph explanations of the terms a student meets in the panels
// (PCID, G, A/D, PSC ...), shown when the mouse rests on them. One place, so
// the TLB panel, the page walk and the slot table explain a term alike.
#pragma once
#include <string>

namespace slot::ui {

// The explanation of `term` ("PCID", "G", "A", "D", "PSC", "NX", "U", "W",
// "P", "PS", "STALE", "CR3", "PML4E" ...), or "" when there is none.
const char* glossary(const std::string& term);

// The explanations of every known term in a line of bits ("P W U A -> 0x...").
std::string explain_bits(const std::string& bits);

}  // namespace slot::ui
