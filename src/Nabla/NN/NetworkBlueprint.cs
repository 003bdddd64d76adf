namespace Nabla.NN;

/// <summary>What a network was built from, so that a saved model can be built again from its description: an
/// architecture string with the shape of one example (<see cref="NN.Architecture.Build"/> with flat input), or the
/// specification of an <see cref="NN.Mlp"/>. A module tells its own (<see cref="Module.Blueprint"/>), which is how
/// <c>ModelStore.Save</c> saves any network without being told what kind it is.</summary>
public sealed record NetworkBlueprint
{
    private NetworkBlueprint(string? architecture, IReadOnlyList<int>? exampleShape, MlpSpec? mlp) =>
        (Architecture, ExampleShape, Mlp) = (architecture, exampleShape, mlp);

    /// <summary>The architecture string, or null for an <see cref="NN.Mlp"/>.</summary>
    public string? Architecture { get; }

    /// <summary>The shape of one example the architecture was built for, or null for an <see cref="NN.Mlp"/>.</summary>
    public IReadOnlyList<int>? ExampleShape { get; }

    /// <summary>The Mlp's specification, or null for an architecture.</summary>
    public MlpSpec? Mlp { get; }

    /// <summary>A network built by <see cref="NN.Architecture.Build"/> from <paramref name="architecture"/> for examples
    /// of <paramref name="exampleShape"/>, taking them as flat rows.</summary>
    public static NetworkBlueprint Of(string architecture, IReadOnlyList<int> exampleShape)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(exampleShape);
        return new(architecture, [.. exampleShape], null);
    }

    /// <summary>An <see cref="NN.Mlp"/> of <paramref name="spec"/>.</summary>
    public static NetworkBlueprint Of(MlpSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new(null, null, spec);
    }
}
