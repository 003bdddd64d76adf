namespace Nabla.Backends;

/// <summary>The op a kernel belongs to, in words, for messages: e.g. <c>Conv2dFunction.Forward&lt;Single&gt;</c> or
/// <c>Tensor.RawBinary</c>, the type that launched it and the method whose lambda it is.</summary>
internal static class KernelName
{
    /// <summary>The name of <paramref name="kernel"/>, or of the kernel it wraps (<see cref="IWrappedKernel"/>).</summary>
    public static string Of(Action kernel)
    {
        for (Delegate inner = kernel; inner.Target is IWrappedKernel wrapped; inner = wrapped.Kernel)
        {
            if (wrapped is INamedKernel named) return named.Name;   // a fusion of several kernels
        }

        var method = MethodOf(kernel);
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
        Delegate inner = kernel;
        while (inner.Target is IWrappedKernel wrapped) inner = wrapped.Kernel;
        return inner.Method;
    }
}

/// <summary>A wrapper around a kernel, which it runs inside: a backend's checks, or an elementwise kernel's run over
/// all of its elements (whose op is its range's lambda).</summary>
internal interface IWrappedKernel
{
    /// <summary>The kernel as the op launched it.</summary>
    Delegate Kernel { get; }
}

/// <summary>A kernel that names itself: a fusion of several, named after them.</summary>
internal interface INamedKernel
{
    /// <summary>What the kernel runs, in words.</summary>
    string Name { get; }
}
