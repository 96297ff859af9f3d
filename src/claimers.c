// SPDX-License-Identifier: GPL-2.0
/*
 * The claimers: kernel threads, started with the worker, that run the
 * claims of a wave together (claim.c).
 *
 * Every alloc_contig_range() waits for an expedited RCU grace period, and
 * claims that wait at the same moment share theirs; so a wave's claims run
 * in threads of their own, at once.  A workqueue would do the same by
 * starting a worker for each claim blocked in its grace period, and
 * letting the workers it no longer needs exit after five idle minutes:
 * each wave after a pause would create dozens of kernel threads, and each
 * creation wakes kthreadd on another vCPU and then its creator, two
 * interrupts.  In a guest that was most of what a fragmented free cost the
 * other vCPUs.  These threads exist from the worker's start to its end,
 * sleep (TASK_IDLE) between waves, and are not freezable: they hold
 * nothing between waves, and the worker, which is freezable, waits for
 * its wave to end.
 *
 * A wave runs on the CPU that starts it, so that waking its threads
 * interrupts no other vCPU (the scheduler would otherwise wake each on an
 * idle one).  The threads are given that CPU when the waves' CPU changes,
 * which with the worker on a per-cpu workqueue is rare.  A CPU that goes
 * offline takes its threads' affinity away when they next wake: they then
 * wake anywhere until the waves' CPU changes again.
 *
 * The calls must not take pagehint_claimers_lock, nor any lock held by a
 * caller of pagehint_together() (the worker's lock, the hotplug lock):
 * the caller waits for them, and lockdep does not see through the wait.
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "pagehint.h"

/* One run of pagehint_together(); on its caller's stack. */
struct pagehint_wave {
	void (*fn)(void *arg, unsigned int i);
	void *arg;
	unsigned int nr;		/* calls: threads to wait for */
	atomic_t started;
	atomic_t pending;		/* calls not done, + 1 for the caller */
	struct completion all_started;
	/*
	 * The calls wait for @go on a wait queue, not a completion: waking
	 * 64 waiters from complete_all() holds a raw lock with interrupts
	 * off, which PREEMPT_RT kernels do not want.
	 */
	wait_queue_head_t go_wq;
	bool go;
	struct completion done;
};

struct pagehint_claimer {
	struct task_struct *task;
	/* Set by pagehint_together() while the thread waits; the thread clears it. */
	struct pagehint_wave *job;
	unsigned int i;			/* the call to make */
	int cpu;			/* the CPU it was given, or -1 */
};

/*
 * Serialises pagehint_together() (the worker's waves, and KUnit's), and
 * the threads' start and stop against them.  Held across a wave; the
 * threads do not take it.
 */
static DEFINE_MUTEX(pagehint_claimers_lock);
static struct pagehint_claimer pagehint_claimers[PAGEHINT_WAVE];
static unsigned int pagehint_nr_claimers;

/*
 * Wait until every call of the wave has started (or HZ / 10 passed: a
 * thread may be slow to get the CPU), so that they ask for their grace
 * periods at one moment, then make the call.
 */
static void pagehint_wave_call(struct pagehint_wave *w, unsigned int i)
{
	if (atomic_inc_return(&w->started) == w->nr)
		complete(&w->all_started);
	wait_event(w->go_wq, READ_ONCE(w->go));
	w->fn(w->arg, i);
}

static int pagehint_claimer_fn(void *data)
{
	struct pagehint_claimer *c = data;
	struct pagehint_wave *w;

	for (;;) {
		set_current_state(TASK_IDLE);
		/* Pairs with pagehint_together()'s release: c->i is set. */
		w = smp_load_acquire(&c->job);
		if (!w) {
			if (kthread_should_stop())
				break;
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		pagehint_wave_call(w, c->i);
		WRITE_ONCE(c->job, NULL);
		/* @w is the caller's: not touched after the last call is done. */
		if (atomic_dec_and_test(&w->pending))
			complete(&w->done);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * Let @c's thread run only on @cpu, if it was not given @cpu already.  It
 * may still be finishing the last wave, and moving a running thread
 * interrupts its CPU: so only when the waves' CPU changed.
 */
static void pagehint_claimer_move(struct pagehint_claimer *c, int cpu)
{
	if (c->cpu == cpu)
		return;
	c->cpu = set_cpus_allowed_ptr(c->task, cpumask_of(cpu)) ? -1 : cpu;
}

/*
 * Call @fn(@arg, i) for every bit i of @which, all at once, each in a
 * thread of its own that waits until all have started; return when all
 * returned.
 */
void pagehint_together(void (*fn)(void *arg, unsigned int i), void *arg,
		       unsigned long which)
{
	struct pagehint_wave w = {
		.fn = fn,
		.arg = arg,
		.started = ATOMIC_INIT(0),
		.pending = ATOMIC_INIT(1),
		.go = false,
	};
	unsigned int i, k = 0;
	int cpu;

	init_completion(&w.all_started);
	init_waitqueue_head(&w.go_wq);
	init_completion(&w.done);
	mutex_lock(&pagehint_claimers_lock);
	if (WARN_ON_ONCE(hweight_long(which) > pagehint_nr_claimers)) {
		/* Not started, or stopped: one call after the other. */
		mutex_unlock(&pagehint_claimers_lock);
		for_each_set_bit(i, &which, BITS_PER_LONG)
			fn(arg, i);
		return;
	}
	w.nr = hweight_long(which);
	/* Where this runs now; if it moves meanwhile, the wakes are remote. */
	cpu = raw_smp_processor_id();
	for_each_set_bit(i, &which, BITS_PER_LONG) {
		struct pagehint_claimer *c = &pagehint_claimers[k++];

		pagehint_claimer_move(c, cpu);
		c->i = i;
		atomic_inc(&w.pending);
		/* c->i before c->job, which the thread reads with acquire. */
		smp_store_release(&c->job, &w);
		wake_up_process(c->task);
	}
	wait_for_completion_timeout(&w.all_started, HZ / 10);
	WRITE_ONCE(w.go, true);
	wake_up_all(&w.go_wq);
	if (!atomic_dec_and_test(&w.pending))
		wait_for_completion(&w.done);
	mutex_unlock(&pagehint_claimers_lock);
}

/*
 * Start the threads.  -EINTR if the loading task was killed meanwhile, or
 * -ENOMEM: none is left then.
 */
int pagehint_claimers_init(void)
{
	struct pagehint_claimer *c;
	struct task_struct *task;
	unsigned int i;

	mutex_lock(&pagehint_claimers_lock);
	WARN_ON_ONCE(pagehint_nr_claimers);
	for (i = 0; i < ARRAY_SIZE(pagehint_claimers); i++) {
		c = &pagehint_claimers[i];
		c->job = NULL;
		c->cpu = -1;
		task = kthread_run(pagehint_claimer_fn, c, "pagehint/c%u", i);
		if (IS_ERR(task)) {
			mutex_unlock(&pagehint_claimers_lock);
			pr_err("cannot start claim thread %u: %ld\n", i, PTR_ERR(task));
			while (i--)
				kthread_stop(pagehint_claimers[i].task);
			return PTR_ERR(task);
		}
		c->task = task;
	}
	pagehint_nr_claimers = i;
	mutex_unlock(&pagehint_claimers_lock);
	return 0;
}

void pagehint_claimers_exit(void)
{
	unsigned int i, n;

	mutex_lock(&pagehint_claimers_lock);
	n = pagehint_nr_claimers;
	pagehint_nr_claimers = 0;
	mutex_unlock(&pagehint_claimers_lock);
	for (i = 0; i < n; i++) {
		kthread_stop(pagehint_claimers[i].task);
		pagehint_claimers[i].task = NULL;
	}
}
