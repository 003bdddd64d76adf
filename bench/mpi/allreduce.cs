#:project ../../src/Nabla.Distributed/Nabla.Distributed.csproj
// The all-reduce alone: MpiProcessGroup.SumInRankOrder of W1's gradient count (and smaller), between the ranks mpirun
// starts. Prints rank 0's median over 200 calls, after 20 of warm-up, each batch of calls started after a barrier.
//
//   dotnet build bench/mpi/allreduce.cs -c Release      (prints where the dll is)
//   mpirun --allow-run-as-root -np 2 dotnet <that dll>
using System.Diagnostics;
using System.Globalization;
using Nabla.Distributed;

using var group = MpiProcessGroup.Start();
foreach (int count in new[] { 535_818, 421_642, 65_536, 1_024, 4 })
{
    // A length N divides is summed in place, as the trainer pads its gradient buffer; W1's 535,818 is padded to it.
    var values = new float[(count + group.Size - 1) / group.Size * group.Size];
    for (int i = 0; i < 20; i++) group.SumInRankOrder(values);
    var times = new List<double>();
    for (int i = 0; i < 200; i++)
    {
        if (i % 20 == 0) group.Barrier();
        long start = Stopwatch.GetTimestamp();
        group.SumInRankOrder(values);
        times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    times.Sort();
    if (group.Rank == 0)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{group.Size} ranks, {count,9:N0} floats ({4.0 * count / 1e6:F2} MB): median {times[times.Count / 2]:F3} ms, fastest {times[0]:F3} ms"));
}
