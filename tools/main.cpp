#include <iostream>

int main(int argc, char** argv) {
  std::cerr << "hookline: not wired yet\n";
  return 2;
}
