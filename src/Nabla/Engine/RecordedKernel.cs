using Nabla.Backends;

namespace Nabla.Engine;

/// <summary>One kernel of a capture, with the buffers it reads and writes as its launch declared them: what a buffer
/// plan reads lifetimes from.</summary>
/// <param name="Run">The kernel (wrapped in the backend's checks when the capture ran under them).</param>
/// <param name="Reads">The buffers it reads (a null entry is an absent operand, such as a missing bias).</param>
/// <param name="Writes">The buffers it writes.</param>
/// <param name="Form">What a fusion pass may know of it beyond its buffers, or null for an opaque kernel.</param>
internal sealed record RecordedKernel(Action Run, BackendStorage?[] Reads, BackendStorage?[] Writes, KernelForm? Form = null);
