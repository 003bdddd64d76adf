using System.Globalization;
using System.Text;

namespace Nabla.GradientChecking;

/// <summary>The outcome of a gradient check: one row per tensor.</summary>
/// <param name="Parameters">The rows.</param>
/// <param name="Tolerance">The relative error that was allowed.</param>
public sealed record GradientCheckReport(IReadOnlyList<ParameterGradientCheck> Parameters, double Tolerance)
{
    /// <summary>True when every tensor passed.</summary>
    public bool Passed => Parameters.All(p => p.Passed);

    /// <summary>The largest relative error over all tensors.</summary>
    public double MaxRelativeError => Parameters.Count == 0 ? 0 : Parameters.Max(p => p.RelativeError);

    /// <summary>A table in the spirit of the lecture's numerical-versus-analytic slide.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        int nameWidth = Math.Max(9, Parameters.Count == 0 ? 0 : Parameters.Max(p => p.WorstElement.Length));
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"worst element".PadRight(nameWidth)}  {"analytic",14}  {"numerical",14}  {"rel. error",10}  checked  result");
        foreach (var p in Parameters)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"{p.WorstElement.PadRight(nameWidth)}  {p.AnalyticAtWorst,14:E6}  {p.NumericAtWorst,14:E6}  {p.RelativeError,10:E2}  {p.ElementsChecked,7}  {(p.Passed ? "PASS" : "FAIL")}");
        }

        sb.Append(CultureInfo.InvariantCulture, $"{(Passed ? "PASS" : "FAIL")}: max relative error {MaxRelativeError:E2} (tolerance {Tolerance:E0})");
        return sb.ToString();
    }
}
