namespace Nabla.Distributed.Tests;

/// <summary>A test that starts processes under Open MPI's mpirun. On a machine without Open MPI it is reported as
/// skipped, with the install command as the reason, so that the README's test command passes on a fresh clone. CI sets
/// <see cref="RequireVariable"/> (.ci/run installs openmpi-bin): then a missing mpirun is a failure, never a silent
/// skip.</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    /// <summary>Set to 1 to make a missing mpirun a failure instead of a skip.</summary>
    public const string RequireVariable = "NABLA_REQUIRE_MPI";

    public MpiFactAttribute() => Skip = SkipReason;

    /// <summary>Why the tests are skipped, or null when they run.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable(RequireVariable) == "1" || MpiRun.Mpirun is not null ? null
            : $"mpirun is missing: install Open MPI with 'sudo apt-get install openmpi-bin' (CI sets {RequireVariable}=1 and fails instead)";
}

/// <summary><see cref="MpiFactAttribute"/> for theories.</summary>
public sealed class MpiTheoryAttribute : TheoryAttribute
{
    public MpiTheoryAttribute() => Skip = MpiFactAttribute.SkipReason;
}
