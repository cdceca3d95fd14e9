// SPDX-License-Identifier: GPL-3.0-or-later
//
// The hold model of bench-hold.c on ns-3's simulator core, for comparison:
// N events pending, each schedules one more at now + uniform(0, 2 ms) drawn
// with GSL's taus2 exactly as bench-hold does, M events run and timed.
//
//   bench-hold-ns3 --pending N --events M --scheduler map|heap|calendar
//
// Prints one line of key=value pairs, among them events_per_s (wall clock)
// and events_per_cpu_s.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <time.h>

#include <gsl/gsl_rng.h>

#include "ns3/core-module.h"

using namespace ns3;

static gsl_rng *g_rng;
static uint64_t g_remaining;

static inline uint64_t
HoldIncrement()
{
  return gsl_rng_uniform_int(g_rng, 2000000 + 1);
}

static void
HoldFire()
{
  if (--g_remaining == 0)
    {
      Simulator::Stop();
      return;
    }
  Simulator::Schedule(NanoSeconds(HoldIncrement()), &HoldFire);
}

static double
CpuSeconds()
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
Usage()
{
  std::fprintf(stderr,
               "usage: bench-hold-ns3 --pending N --events M "
               "--scheduler map|heap|calendar [--seed S]\n");
  std::exit(2);
}

int
main(int argc, char **argv)
{
  uint64_t pending = 1000, events = 1000000, seed = 1;
  std::string scheduler = "map";

  for (int i = 1; i < argc; i++)
    {
      if (i + 1 >= argc)
        Usage();
      if (!std::strcmp(argv[i], "--pending"))
        pending = std::strtoull(argv[++i], nullptr, 10);
      else if (!std::strcmp(argv[i], "--events"))
        events = std::strtoull(argv[++i], nullptr, 10);
      else if (!std::strcmp(argv[i], "--seed"))
        seed = std::strtoull(argv[++i], nullptr, 10);
      else if (!std::strcmp(argv[i], "--scheduler"))
        scheduler = argv[++i];
      else
        Usage();
    }
  std::string type;
  if (scheduler == "map")
    type = "ns3::MapScheduler";
  else if (scheduler == "heap")
    type = "ns3::HeapScheduler";
  else if (scheduler == "calendar")
    type = "ns3::CalendarScheduler";
  else
    Usage();
  if (pending < 1 || events < 1)
    Usage();

  ObjectFactory factory;
  factory.SetTypeId(type);
  Simulator::SetScheduler(factory);

  g_rng = gsl_rng_alloc(gsl_rng_taus2);
  gsl_rng_set(g_rng, seed);
  g_remaining = events;
  for (uint64_t i = 0; i < pending; i++)
    Simulator::Schedule(NanoSeconds(HoldIncrement()), &HoldFire);

  // Wall and CPU (user + system, this process) time, as bench-hold.c.
  auto t0 = std::chrono::steady_clock::now();
  double c0 = CpuSeconds();
  Simulator::Run();
  double cpu = CpuSeconds() - c0;
  auto t1 = std::chrono::steady_clock::now();
  double secs = std::chrono::duration<double>(t1 - t0).count();

  std::printf("bench=hold impl=ns3 queue=%s pending=%llu events=%llu "
              "seconds=%.6f events_per_s=%.0f cpu_s=%.6f events_per_cpu_s=%.0f\n",
              scheduler.c_str(), (unsigned long long)pending,
              (unsigned long long)events, secs, (double)events / secs, cpu,
              (double)events / cpu);
  Simulator::Destroy();
  gsl_rng_free(g_rng);
  return 0;
}
