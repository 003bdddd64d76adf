namespace Nabla.Cuda.Kernels;

/// <summary>Conversions between an element type and float64, for kernels that sum in float64 (batch norm's
/// statistics). A kernel cannot call the generic-math conversions (they test types at run time), but it can call a
/// static method of a type argument, which ILGPU resolves when it compiles the kernel for that type.</summary>
internal interface IPrecision<T>
    where T : unmanaged
{
    /// <summary>Whether T is float32, whose kernels follow the CPU's float32 formulas (one-pass shifted statistics,
    /// per-channel coefficients rounded to float32).</summary>
    static abstract bool IsSingle { get; }

    static abstract double Widen(T value);

    static abstract T Narrow(double value);
}

/// <summary>float32.</summary>
internal readonly struct SinglePrecision : IPrecision<float>
{
    public static bool IsSingle => true;

    public static double Widen(float value) => value;

    public static float Narrow(double value) => (float)value;
}

/// <summary>float64.</summary>
internal readonly struct DoublePrecision : IPrecision<double>
{
    public static bool IsSingle => false;

    public static double Widen(double value) => value;

    public static double Narrow(double value) => value;
}
