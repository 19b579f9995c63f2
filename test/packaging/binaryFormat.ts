/**
 * What kind of native executable a file is, read from its header: ELF (Linux), Mach-O
 * (macOS) or PE (Windows), and the machine it runs on. Enough to tell esbuild's binaries apart.
 */
export type BinaryFormat = 'elf' | 'macho' | 'pe';
export type BinaryArch = 'x64' | 'arm64' | 'other';

export interface BinaryKind {
  readonly format: BinaryFormat;
  readonly arch: BinaryArch;
}

// ELF e_machine (System V ABI): EM_X86_64 62, EM_AARCH64 183.
const ELF_MACHINES: Record<number, BinaryArch> = { 62: 'x64', 183: 'arm64' };
// Mach-O cputype (mach/machine.h): CPU_TYPE_X86_64 0x01000007, CPU_TYPE_ARM64 0x0100000c.
const MACHO_CPUS: Record<number, BinaryArch> = { 0x01000007: 'x64', 0x0100000c: 'arm64' };
// PE COFF Machine: IMAGE_FILE_MACHINE_AMD64 0x8664, IMAGE_FILE_MACHINE_ARM64 0xaa64.
const PE_MACHINES: Record<number, BinaryArch> = { 0x8664: 'x64', 0xaa64: 'arm64' };

/** The file's format and machine, or undefined when it is not a native executable. */
export function binaryKind(bytes: Buffer): BinaryKind | undefined {
  if (bytes.length >= 20 && bytes.readUInt32BE(0) === 0x7f454c46) {
    // EI_DATA (byte 5): 1 little-endian, 2 big-endian; e_machine at 0x12.
    const machine = bytes[5] === 2 ? bytes.readUInt16BE(0x12) : bytes.readUInt16LE(0x12);
    return { format: 'elf', arch: ELF_MACHINES[machine] ?? 'other' };
  }
  // 64-bit Mach-O, little-endian (MH_MAGIC_64 0xfeedfacf as stored on x86-64 and arm64).
  if (bytes.length >= 8 && bytes.readUInt32LE(0) === 0xfeedfacf) {
    return { format: 'macho', arch: MACHO_CPUS[bytes.readUInt32LE(4)] ?? 'other' };
  }
  if (bytes.length >= 0x40 && bytes.toString('latin1', 0, 2) === 'MZ') {
    const pe = bytes.readUInt32LE(0x3c);
    if (pe + 6 <= bytes.length && bytes.readUInt32BE(pe) === 0x50450000) {
      return { format: 'pe', arch: PE_MACHINES[bytes.readUInt16LE(pe + 4)] ?? 'other' };
    }
  }
  return undefined;
}
