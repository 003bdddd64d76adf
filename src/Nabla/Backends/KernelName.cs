namespace Nabla.Backends;

/// <summary>The op a kernel belongs to, in words, for messages: e.g. <c>Conv2dFunction.Forward&lt;Single&gt;</c> or
/// <c>Tensor.RawBinary</c>, the type that launched it and the method whose lambda it is.</summary>
internal static class KernelName
{
    /// <summary>The name of <paramref name="kernel"/>, or of the kernel it wraps (<see cref="IWrappedKernel"/>).</summary>
    public static string Of(Action kernel)
    {
        while (kernel.Target is IWrappedKernel wrapped) kernel = wrapped.Kernel;
        var method = kernel.Method;
        var type = method.DeclaringType;
        var generic = type is { IsGenericType: true } ? $"<{string.Join(", ", type.GetGenericArguments().Select(a => a.Name))}>" : "";
        while (type?.DeclaringType is not null) type = type.DeclaringType;   // a closure class nests inside the op's type
        string name = method.Name;
        int open = name.IndexOf('<', StringComparison.Ordinal), close = name.IndexOf('>', StringComparison.Ordinal);
        if (open >= 0 && close > open) name = name[(open + 1)..close];   // "<Forward>b__0" is a lambda in Forward
        return $"{type?.Name ?? "?"}.{name}{generic}";
    }

    /// <summary>The kernel a backend runs in its own wrapper (the checks), so that a wrapped kernel keeps its op's
    /// identity: two captures compare by it.</summary>
    public static System.Reflection.MethodInfo MethodOf(Action kernel)
    {
        while (kernel.Target is IWrappedKernel wrapped) kernel = wrapped.Kernel;
        return kernel.Method;
    }
}

/// <summary>A backend's wrapper around a kernel, which it runs inside.</summary>
internal interface IWrappedKernel
{
    /// <summary>The kernel as the op launched it.</summary>
    Action Kernel { get; }
}
