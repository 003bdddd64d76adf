namespace Nabla.Engine;

/// <summary>The one door through which ops run their kernels on tensor buffers, so that a capture sees every one.</summary>
internal static class Kernel
{
    /// <summary>Runs <paramref name="kernel"/> now; while a <see cref="KernelTape"/> records on this thread, it is
    /// also kept for replay. The kernel must do all of its reading and writing of buffers inside itself, and compute
    /// there anything it derives from their values: a replay repeats only what is inside.</summary>
    public static void Launch(Action kernel)
    {
        if (KernelTape.Current is { } tape) tape.Run(kernel);
        else kernel();
    }

    /// <summary>Records <paramref name="kernel"/> for replay without running it now: for work the eager pass got for
    /// free, such as the zeros of a freshly allocated array that a replay must write again.</summary>
    public static void OnReplay(Action kernel) => KernelTape.Current?.Append(kernel);
}
