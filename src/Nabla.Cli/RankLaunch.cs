using Nabla.Distributed;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>A command run by <c>mpirun -np N nabla …</c>: each process is one rank of a data-parallel run. Without
/// mpirun nothing here touches MPI, and Open MPI need not be installed.</summary>
/// <remarks>
/// <para>Errors: a failure every rank meets at the same point (bad options, ranks that disagree, a diverged loss) is
/// printed by rank 0 only; a rank's own failure (a file its machine lacks) is printed by that rank, naming it.</para>
/// <para>Ending: a run that succeeded, or failed on every rank at the same point, finalises MPI on every rank. A rank
/// that failed alone exits without finalising, and mpirun then ends the whole job with a non-zero code, rather than
/// leaving the other ranks waiting for it in a collective.</para>
/// </remarks>
internal static class RankLaunch
{
    public static int Run(TextWriter error, Func<IProcessGroup?, int> body)
    {
        if (MpiEnvironment.StartedByOtherLauncher)
        {
            error.WriteLine("nabla: error: an MPI launcher other than Open MPI's mpirun started this process (PMI_SIZE is set, OMPI_COMM_WORLD_SIZE is not): nabla trains across ranks with Open MPI only");
            return CommandRunner.Failure;
        }

        if (!MpiEnvironment.StartedByMpirun) return CommandRunner.Run(error, () => body(null));
        int rank = MpiEnvironment.Rank;
        MpiProcessGroup? group = null;
        Exception? failure = null;
        int code = CommandRunner.Run(
            error,
            () =>
            {
                try
                {
                    group = Start();
                    return body(group);
                }
                catch (Exception e)
                {
                    failure = e;
                    throw;
                }
            },
            quiet: rank == 0 ? null : SharedByAllRanks,
            label: rank == 0 ? "" : $" (rank {rank})");
        if (group is not null && (failure is null || SharedByAllRanks(failure))) group.Dispose();
        return code;
    }

    /// <summary>Failures every rank meets alike, at the same point.</summary>
    private static bool SharedByAllRanks(Exception e) => e is UsageException or RankSetupException or TrainingDivergedException;

    private static MpiProcessGroup Start()
    {
        try
        {
            return MpiProcessGroup.Start();
        }
        catch (MpiException e)
        {
            throw new InvalidOperationException($"mpirun started this process, but MPI could not start: {e.Message}", e);
        }
    }
}
