using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime.Cuda;
using Nabla.Cuda.Kernels;
using Nabla.Kernels;

namespace Nabla.Cuda.Tests;

/// <summary>Every GPU kernel compiles to PTX for an H200 (SM 9.0), with no GPU present: ILGPU's PTX backend runs on
/// any machine. The CPU accelerator runs kernels as .NET code, which accepts things a GPU does not (a call ILGPU cannot
/// translate, a type it cannot lay out); this catches them here rather than on a lent GPU. Each generic kernel is
/// compiled for float32 and float64 and for every operator it can take.</summary>
[Trait("Category", "Cuda")]
public sealed class PtxCompilationTests
{
    private static readonly Type[] Elements = [typeof(float), typeof(double)];

    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        // One case per name: overloads (one per element type) compile together.
        foreach (var name in KernelMethods().Select(m => $"{m.DeclaringType!.Name}.{m.Name}").Distinct()) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Compiles_to_PTX_for_SM_90(string kernel)
    {
        using var context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
        var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, null);
        var methods = KernelMethods().Where(m => $"{m.DeclaringType!.Name}.{m.Name}" == kernel).ToList();
        Assert.NotEmpty(methods);
        int compiled = 0;
        foreach (var method in methods)
        {
            foreach (var instance in Instances(method))
            {
                // A kernel whose first parameter is its thread's index is launched one thread per element; the others
                // (the tiled product) choose their groups.
                var entry = instance.GetParameters()[0].ParameterType == typeof(Index1D)
                    ? EntryPointDescription.FromImplicitlyGroupedKernel(instance)
                    : EntryPointDescription.FromExplicitlyGroupedKernel(instance);
                var ptx = ((PTXCompiledKernel)backend.Compile(entry, default)).PTXAssembly;
                Assert.Contains(".entry", ptx, StringComparison.Ordinal);
                compiled++;
            }
        }

        Assert.True(compiled > 0, $"{kernel}: no instance compiled");
    }

    /// <summary>The public static methods of the kernel classes (Nabla.Cuda.Kernels), which are the kernels.</summary>
    private static IEnumerable<MethodInfo> KernelMethods() =>
        typeof(ElementwiseKernels).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(ElementwiseKernels).Namespace && t.IsAbstract && t.IsSealed)   // static classes
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.ReturnType == typeof(void) && !m.IsSpecialName);

    /// <summary>The method made concrete for every combination its type parameters allow: element types, and operators
    /// or precisions by their constraints.</summary>
    private static IEnumerable<MethodInfo> Instances(MethodInfo method)
    {
        if (!method.IsGenericMethodDefinition) return [method];
        IEnumerable<Type[]> combinations = [[]];
        foreach (var parameter in method.GetGenericArguments())
        {
            var constraints = parameter.GetGenericParameterConstraints();
            Type[] choices = constraints.Any(c => c == typeof(IUnaryOperator)) ? Implementations(typeof(IUnaryOperator))
                : constraints.Any(c => c.IsGenericType && c.GetGenericTypeDefinition() == typeof(IBinaryOperator<>)) ? Implementations(typeof(IBinaryOperator<>))
                : constraints.Any(c => c.IsGenericType && c.GetGenericTypeDefinition() == typeof(IPrecision<>)) ? [typeof(SinglePrecision), typeof(DoublePrecision)]
                : Elements;
            combinations = combinations.SelectMany(prefix => choices.Select(choice => (Type[])[.. prefix, choice]));
        }

        return combinations.Select(types => TryMake(method, types)).OfType<MethodInfo>();
    }

    /// <summary>The method for these type arguments, or null where they break a constraint (float32 with float64's
    /// precision).</summary>
    private static MethodInfo? TryMake(MethodInfo method, Type[] types)
    {
        try
        {
            return method.MakeGenericMethod(types);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static Type[] Implementations(Type contract) =>
        [.. typeof(IUnaryOperator).Assembly.GetTypes().Where(t => t.IsValueType && t.GetInterfaces().Any(i => i == contract || (i.IsGenericType && i.GetGenericTypeDefinition() == contract)))];
}
